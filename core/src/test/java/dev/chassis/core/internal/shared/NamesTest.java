package dev.chassis.core.internal.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The handler-key convention shared by handlers.* and consumers.* configuration, and the other shared names. */
class NamesTest {
    static final class OrderAPIv2 {
        void placeOrder() {
        }

        void place(String id, Optional<Integer> count, int[] sizes) {
        }
    }

    @Test
    void handlerKeysAreKebabCase() throws Exception {
        assertThat(Names.kebab("PaymentEvents")).isEqualTo("payment-events");
        assertThat(Names.kebab("onCompleted")).isEqualTo("on-completed");
        assertThat(Names.kebab("My_Handler$1")).isEqualTo("my-handler-1");
        assertThat(Names.kebab("")).isEqualTo("handler");
        assertThat(Names.kebab("$")).isEqualTo("handler");
        assertThat(Names.handlerKey(OrderAPIv2.class, OrderAPIv2.class.getDeclaredMethod("placeOrder")))
                .isEqualTo("order-a-p-iv2.place-order");
    }

    @Test
    void methodsAreNamedWithClassAndParameterTypes() throws Exception {
        assertThat(Names.method(OrderAPIv2.class.getDeclaredMethod("placeOrder")))
                .isEqualTo(OrderAPIv2.class.getName() + ".placeOrder()");
        assertThat(Names.method(OrderAPIv2.class.getDeclaredMethod("place", String.class, Optional.class,
                int[].class))).isEqualTo(OrderAPIv2.class.getName() + ".place(String, Optional, int[])");
    }

    @Test
    void firstLineKeepsOneLineAndSaysWhatANullIs() {
        assertThat(Texts.firstLine("one\ntwo\nthree", "-")).isEqualTo("one");
        assertThat(Texts.firstLine("only", "-")).isEqualTo("only");
        assertThat(Texts.firstLine("", "-")).isEmpty();
        assertThat(Texts.firstLine("\nsecond", "-")).isEmpty();
        assertThat(Texts.firstLine(null, "unreadable")).isEqualTo("unreadable");
    }
}
