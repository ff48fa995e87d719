package dev.chassis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.core.internal.config.LayeredConfig;

class SecretSettingTest {
    private static final Setting<Integer> PIN = Setting.integer("vault.pin", null).range(0, 9999).secret();

    private static LayeredConfig config(Map<String, String> values) {
        return new LayeredConfig(List.of(new LayeredConfig.Source("test", values)), Map.of(), List.of(), null);
    }

    @Test
    void aSecretKeepsItsFlagThroughEveryModifier() {
        Setting<String> password = Setting.string("tls.bundles.*.keystore-password", null).secret()
                .describedAs("the password");
        assertThat(password.isSecret()).isTrue();
        assertThat(password.resolve("a").isSecret()).isTrue();
        assertThat(Setting.string("x.y", null).isSecret()).isFalse();
        assertThat(password.resolve("a").toString()).contains("secret").doesNotContain("default");
    }

    @Test
    void aSecretHasNoDefault() {
        assertThatThrownBy(() -> Setting.string("x.password", "changeit").secret())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("x.password");
    }

    @Test
    void aBadSecretValueIsNeverEchoed() {
        LayeredConfig config = config(Map.of("vault.pin", "hunter2"));
        assertThatThrownBy(() -> config.get(PIN)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("vault.pin = '" + Setting.MASK + "'").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> config.validate(List.of(PIN))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(Setting.MASK).hasMessageNotContaining("hunter2");
    }

    @Test
    void anOrdinaryBadValueIsStillEchoed() {
        Setting<Integer> port = Setting.integer("vault.port", 1).range(0, 10);
        assertThatThrownBy(() -> config(Map.of("vault.port", "eleven")).get(port))
                .hasMessageContaining("vault.port = 'eleven'");
    }

    /** A URL's user and password are no secret setting's, but an error must not print them. */
    @Test
    void aBadUrlIsEchoedWithoutItsPassword() {
        Setting<Integer> notANumber = Setting.integer("clients.x.port", 1);
        assertThatThrownBy(() -> config(Map.of("clients.x.port", "http://app:s3cret@host/")).get(notANumber))
                .hasMessageContaining("clients.x.port = 'http://" + Setting.MASK + "@host/'").hasMessageNotContaining("s3cret");
        assertThat(Setting.string("a.b", null).shown("postgres://app:pw@db/x")).isEqualTo("postgres://" + Setting.MASK + "@db/x");
    }

    @Test
    void aSecretIsShownMasked() {
        assertThat(PIN.shown("1234")).isEqualTo(Setting.MASK);
        assertThat(Setting.string("a.b", null).shown("plain")).isEqualTo("plain");
    }
}
