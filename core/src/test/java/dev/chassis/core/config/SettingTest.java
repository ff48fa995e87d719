package dev.chassis.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SettingTest {
    enum Mode { FAST_LANE, SLOW }

    @Test
    void durationsTakeUnitsOrIso8601() {
        Setting<Duration> d = Setting.duration("x.timeout", Duration.ZERO);
        assertThat(d.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(d.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.parse("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> d.parse("10 fortnights")).hasMessageContaining("such as 500ms");
        assertThat(d.parse("365d")).isEqualTo(Duration.ofDays(365));
        assertThatThrownBy(() -> d.parse("366d")).hasMessageContaining("up to 365d");
        assertThatThrownBy(() -> d.parse("999999999999999d")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.parse("99999999999999999999999ms")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.parse("-PT1S")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sizesTakeBinaryUnits() {
        Setting<Long> s = Setting.size("x.size", 0L);
        assertThat(s.parse("512")).isEqualTo(512);
        assertThat(s.parse("64KiB")).isEqualTo(64 * 1024);
        assertThat(s.parse("10MiB")).isEqualTo(10L * 1024 * 1024);
        assertThat(s.parse("1g")).isEqualTo(1024L * 1024 * 1024);
        assertThatThrownBy(() -> s.parse("1 parsec")).hasMessageContaining("size such as");
        assertThatThrownBy(() -> s.parse("99999999999999999999")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangesSayWhatIsAllowed() {
        Setting<Integer> port = Setting.integer("x.port", 1).range(0, 65535);
        assertThat(port.allowed()).isEqualTo("a whole number between 0 and 65535");
        assertThatThrownBy(() -> port.parse("65536")).hasMessage("a whole number between 0 and 65535");
        assertThatThrownBy(() -> port.parse("1.5")).hasMessage("a whole number between 0 and 65535");
        Setting<Duration> atLeast = Setting.duration("x.d", Duration.ZERO).min(1000);
        assertThatThrownBy(() -> atLeast.parse("999ms")).hasMessage("a duration of at least 1000ms");
    }

    @Test
    void enumsUseDashedLowerCase() {
        Setting<Mode> m = Setting.oneOf("x.mode", Mode.class, Mode.SLOW);
        assertThat(m.parse("fast-lane")).isEqualTo(Mode.FAST_LANE);
        assertThat(m.parse("FAST_LANE")).isEqualTo(Mode.FAST_LANE);
        assertThatThrownBy(() -> m.parse("medium")).hasMessage("one of: fast-lane, slow");
    }

    @Test
    void booleansAreStrict() {
        Setting<Boolean> b = Setting.bool("x.on", false);
        assertThat(b.parse("TRUE")).isTrue();
        assertThatThrownBy(() -> b.parse("yes")).hasMessage("true or false");
    }

    @Test
    void wildcardsMatchOneSegmentAndResolve() {
        Setting<Integer> s = Setting.integer("clients.*.retries", 3);
        assertThat(s.matches("clients.inventory.retries")).isTrue();
        assertThat(s.matches("clients.a.b.retries")).isFalse();
        assertThat(s.resolve("inventory").key()).isEqualTo("clients.inventory.retries");
        assertThatThrownBy(() -> s.resolve()).hasMessageContaining("needs 1 names, but was given 0");
    }

    @Test
    void keysAreValidated() {
        assertThatThrownBy(() -> Setting.string("Server.Port", null)).hasMessageContaining("but was 'Server.Port'");
        assertThatThrownBy(() -> Setting.string("a..b", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Setting.environmentName("server.max-body-size")).isEqualTo("SERVER_MAX_BODY_SIZE");
    }

    @Test
    void aDefaultGivenAsTextIsParsedAndCheckedLikeAConfiguredValue() {
        Setting<Duration> d = Setting.duration("x.backoff", null).min(1).describedAs("the wait").withDefault("100ms");
        assertThat(d.defaultValue()).isEqualTo(Duration.ofMillis(100));
        assertThat(d.description()).isEqualTo("the wait");
        assertThat(d.allowed()).contains("at least 1ms");
        assertThatThrownBy(() -> Setting.integer("x.attempts", null).range(1, 10).withDefault("0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the default '0' of x.attempts is not allowed: expected a whole number between 1 and 10");
    }
}
