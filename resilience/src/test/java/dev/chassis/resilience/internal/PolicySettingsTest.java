package dev.chassis.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chassis.core.config.Setting;
import dev.chassis.resilience.Bulkhead;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.RateLimiter;
import dev.chassis.resilience.Retry;

class PolicySettingsTest {
    @Test
    void everyKeyHasADescription() {
        assertThat(PolicySettings.all()).filteredOn(s -> s.description() == null || s.description().isBlank())
                .extracting(Setting::key).isEmpty();
    }

    @Test
    void annotationDefaultsAreTheKeysDefaults() throws Exception {
        String p = PolicySettings.HANDLERS;
        assertSame(Retry.class, "maxAttempts", PolicySettings.maxAttempts(p));
        assertSame(Retry.class, "backoff", PolicySettings.backoff(p));
        assertSame(Retry.class, "maxBackoff", PolicySettings.maxBackoff(p));
        assertSame(Retry.class, "multiplier", PolicySettings.multiplier(p));
        assertSame(Retry.class, "jitter", PolicySettings.jitter(p));
        assertSame(CircuitBreaker.class, "failureRateThreshold", PolicySettings.failureRate(p));
        assertSame(CircuitBreaker.class, "windowType", PolicySettings.windowType(p));
        assertSame(CircuitBreaker.class, "windowSize", PolicySettings.windowSize(p));
        assertSame(CircuitBreaker.class, "minimumCalls", PolicySettings.minimumCalls(p));
        assertSame(CircuitBreaker.class, "waitInOpen", PolicySettings.waitInOpen(p));
        assertSame(CircuitBreaker.class, "halfOpenCalls", PolicySettings.halfOpenCalls(p));
        assertSame(Bulkhead.class, "maxConcurrent", PolicySettings.maxConcurrent(p));
        assertSame(Bulkhead.class, "maxWait", PolicySettings.maxWait(p));
        assertSame(RateLimiter.class, "period", PolicySettings.period(p));
        assertSame(RateLimiter.class, "timeout", PolicySettings.limiterTimeout(p));
    }

    @Test
    void clientAndHandlerKeysShareTheirDefaults() {
        List<Setting<?>> clients = PolicySettings.of("circuit-breaker", PolicySettings.CLIENTS);
        List<Setting<?>> handlers = PolicySettings.of("circuit-breaker", PolicySettings.HANDLERS);
        List<Object> clientDefaults = clients.stream().<Object>map(Setting::defaultValue).toList();
        List<Object> handlerDefaults = handlers.stream().<Object>map(Setting::defaultValue).toList();
        assertThat(clientDefaults).isEqualTo(handlerDefaults);
        assertThat(PolicySettings.backoff(PolicySettings.CLIENTS).defaultValue()).isEqualTo(Duration.ofMillis(100));
    }

    private static void assertSame(Class<?> annotation, String member, Setting<?> setting) throws Exception {
        Method m = annotation.getMethod(member);
        Object annotated = m.getDefaultValue();
        Object expected = annotated instanceof Enum<?> || annotated instanceof String
                ? setting.parse(annotated instanceof Enum<?> e ? e.name() : (String) annotated) : annotated;
        assertThat(setting.defaultValue()).as("@%s.%s and %s", annotation.getSimpleName(), member, setting.key())
                .isEqualTo(expected);
    }
}
