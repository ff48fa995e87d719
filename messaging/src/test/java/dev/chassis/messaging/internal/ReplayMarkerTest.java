package dev.chassis.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.messaging.spi.BrokerRecord;

/**
 * The process's random replay key, drawn at the first signature, stays the key of every later one; a replay marker
 * covers the record's CloudEvents headers; a dead letter is signed over all it holds, only with a configured key.
 */
class ReplayMarkerTest {
    private static final byte[] VALUE = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
    private static final Map<String, List<String>> CE = Map.of("ce_id", List.of("e-1"), "ce_source", List.of("/orders"));

    @Test
    void theRandomKeyIsOneKeyForTheProcessAndAnotherProcessCannotForgeIt() {
        ReplayMarker marker = ReplayMarker.of(null);
        String signature = marker.sign("orders", "billing", "k1", CE, VALUE);
        assertThat(marker.sign("orders", "billing", "k1", CE, VALUE)).isEqualTo(signature);
        assertThat(marker.verifiedGroup(record("billing", signature, CE))).isEqualTo("billing");

        ReplayMarker other = ReplayMarker.of(null); // another process: another random key
        assertThat(other.verifiedGroup(record("billing", signature, CE))).isNull();
        assertThat(other.sign("orders", "billing", "k1", CE, VALUE)).isNotEqualTo(signature);
        assertThat(marker.signsLetters()).as("no shared key: letters are not signed").isFalse();
    }

    @Test
    void aConfiguredKeySignsAlikeInEveryProcess() {
        String key = "0123456789abcdef0123456789abcdef";
        String signature = ReplayMarker.of(key).sign("orders", "billing", "k1", CE, VALUE);
        assertThat(ReplayMarker.of(key).verifiedGroup(record("billing", signature, CE))).isEqualTo("billing");
        assertThat(ReplayMarker.of(key).verifiedGroup(record("shipping", signature, CE))).isNull();
    }

    /** A signed replay re-sent with another source or id is an ordinary event again, not a replay. */
    @Test
    void theMarkerCoversTheCloudEventsHeaders() {
        ReplayMarker marker = ReplayMarker.of(null);
        String signature = marker.sign("orders", "billing", "k1", CE, VALUE);
        Map<String, List<String>> forged = new HashMap<>(CE);
        forged.put("ce_source", List.of("/admin"));
        assertThat(marker.verifiedGroup(record("billing", signature, forged))).isNull();
    }

    @Test
    void aDeadLetterVerifiesOnlyAsItWasSigned() {
        ReplayMarker marker = ReplayMarker.of("0123456789abcdef0123456789abcdef");
        assertThat(marker.signsLetters()).isTrue();
        Map<String, List<String>> headers = new HashMap<>(CE);
        headers.put("chassis-dlq-group", List.of("billing"));
        headers.put(ReplayMarker.LETTER_SIGNATURE, List.of(marker.signLetter("orders.dlq", "k1", headers, VALUE)));
        assertThat(marker.letterVerifies(new BrokerRecord("orders.dlq", "k1", headers, VALUE))).isTrue();

        Map<String, List<String>> otherGroup = new HashMap<>(headers);
        otherGroup.put("chassis-dlq-group", List.of("shipping"));
        assertThat(marker.letterVerifies(new BrokerRecord("orders.dlq", "k1", otherGroup, VALUE))).isFalse();
        Map<String, List<String>> caller = new HashMap<>(headers);
        caller.put("ce_chassissubject", List.of("admin"));
        assertThat(marker.letterVerifies(new BrokerRecord("orders.dlq", "k1", caller, VALUE))).isFalse();
        assertThat(marker.letterVerifies(new BrokerRecord("orders.dlq", "k1", headers, "{}".getBytes(StandardCharsets.UTF_8))))
                .isFalse();
        Map<String, List<String>> unsigned = new HashMap<>(headers);
        unsigned.remove(ReplayMarker.LETTER_SIGNATURE);
        assertThat(marker.letterVerifies(new BrokerRecord("orders.dlq", "k1", unsigned, VALUE))).isFalse();
        assertThat(ReplayMarker.of("fedcba9876543210fedcba9876543210")
                .letterVerifies(new BrokerRecord("orders.dlq", "k1", headers, VALUE))).as("another key").isFalse();
    }

    private static BrokerRecord record(String group, String signature, Map<String, List<String>> ce) {
        Map<String, List<String>> headers = new HashMap<>(ce);
        headers.put(ReplayMarker.GROUP, List.of(group));
        headers.put(ReplayMarker.SIGNATURE, List.of(signature));
        return new BrokerRecord("orders", "k1", headers, VALUE);
    }
}
