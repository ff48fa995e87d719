package dev.chassis.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The handler-key convention shared by handlers.* and consumers.* configuration. */
class CallSiteTest {
    static final class OrderAPIv2 {
        void placeOrder() {
        }
    }

    @Test
    void handlerKeysAreKebabCase() throws Exception {
        assertThat(CallSite.kebab("PaymentEvents")).isEqualTo("payment-events");
        assertThat(CallSite.kebab("onCompleted")).isEqualTo("on-completed");
        assertThat(CallSite.kebab("My_Handler$1")).isEqualTo("my-handler-1");
        assertThat(CallSite.kebab("")).isEqualTo("handler");
        assertThat(CallSite.kebab("$")).isEqualTo("handler");
        assertThat(CallSite.handlerKey(OrderAPIv2.class, OrderAPIv2.class.getDeclaredMethod("placeOrder")))
                .isEqualTo("order-a-p-iv2.place-order");
    }
}
