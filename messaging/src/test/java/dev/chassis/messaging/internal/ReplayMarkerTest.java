package dev.chassis.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.messaging.spi.BrokerRecord;

/** The process's random replay key, drawn at the first signature, stays the key of every later one. */
class ReplayMarkerTest {
    private static final byte[] VALUE = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theRandomKeyIsOneKeyForTheProcessAndAnotherProcessCannotForgeIt() {
        ReplayMarker marker = ReplayMarker.of(null);
        String signature = marker.sign("orders", "billing", "k1", VALUE);
        assertThat(marker.sign("orders", "billing", "k1", VALUE)).isEqualTo(signature);
        assertThat(marker.verifiedGroup(record("billing", signature))).isEqualTo("billing");

        ReplayMarker other = ReplayMarker.of(null); // another process: another random key
        assertThat(other.verifiedGroup(record("billing", signature))).isNull();
        assertThat(other.sign("orders", "billing", "k1", VALUE)).isNotEqualTo(signature);
    }

    @Test
    void aConfiguredKeySignsAlikeInEveryProcess() {
        String key = "0123456789abcdef0123456789abcdef";
        String signature = ReplayMarker.of(key).sign("orders", "billing", "k1", VALUE);
        assertThat(ReplayMarker.of(key).verifiedGroup(record("billing", signature))).isEqualTo("billing");
        assertThat(ReplayMarker.of(key).verifiedGroup(record("shipping", signature))).isNull();
    }

    private static BrokerRecord record(String group, String signature) {
        return new BrokerRecord("orders", "k1", Map.of(ReplayMarker.GROUP, List.of(group), ReplayMarker.SIGNATURE,
                List.of(signature)), VALUE);
    }
}
