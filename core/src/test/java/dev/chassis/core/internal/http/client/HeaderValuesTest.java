package dev.chassis.core.internal.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A {@code @Header} argument with a control character is refused where it is bound, before an instance is picked:
 * the HTTP client refused it only as it sent it, which counted as the instance's failure and ejected healthy ones.
 */
class HeaderValuesTest {
    @Test
    void visibleTextPassesAndControlCharactersAreRefused() {
        assertThat(ClientBinder.headerValue("X-Name", "Bob Smith\tJr. \u00e9")).isEqualTo("Bob Smith\tJr. \u00e9");
        assertThat(ClientBinder.headerValue("X-Name", "  padded\t")).as("spaces around are no part of it").isEqualTo("padded");
        for (String bad : new String[] {"Bob\u0001", "a\r\nX-Injected: 1", "a\nb", "nul\u0000", "del\u007f"}) {
            assertThatThrownBy(() -> ClientBinder.headerValue("X-Name", bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("header X-Name holds a control character");
        }
    }
}
