package dev.chassis.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Request headers a decorator sets on a call: client calls take them (the last one of a name wins), handlers not. */
class CallHeadersTest {
    private static Method method() throws NoSuchMethodException {
        return Object.class.getMethod("toString");
    }

    @Test
    void aClientCallKeepsTheLastValueOfEachHeader() throws Exception {
        Call call = Call.of(new CallSite(CallSite.Kind.CLIENT, "items", "items", method(), "GET", "/items"),
                new Object[0], true);
        assertThat(call.headers()).isEmpty();
        call.header("Authorization", "Bearer a");
        call.header("Authorization", "Bearer b");
        assertThat(call.headers()).containsExactly(Map.entry("Authorization", "Bearer b"));
    }

    @Test
    void aHandlersCallRefusesRequestHeaders() throws Exception {
        Call call = Call.of(new CallSite(CallSite.Kind.HANDLER, "items", "items.get", method(), "GET", "/items"),
                new Object[0], true);
        assertThatThrownBy(() -> call.header("Authorization", "Bearer a"))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("only client calls");
        assertThat(call.headers()).isEmpty();
    }
}
