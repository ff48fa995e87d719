package dev.chassis.messaging.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.chassis.messaging.spi.BrokerRecord;

/**
 * The replay marker of a dead letter published back to its topic ({@code chassis-replay-group}: the one group that
 * handles it again), signed so that no other producer can forge one to make consumers skip an event: an HMAC-SHA256
 * ({@code chassis-replay-signature}) over the topic, the group, the record's key, its CloudEvents headers and its value, with
 * {@code messaging.replay.key} — or, when that is unset, a random key of this process. A marker whose signature does
 * not verify is ignored: the record is an ordinary event to every group (a duplicate at worst, never a skipped
 * event). Thread-safe. Not API.
 */
final class ReplayMarker {
    static final String GROUP = "chassis-replay-group";
    static final String SIGNATURE = "chassis-replay-signature";
    /** On a dead letter, with {@code messaging.replay.key}: its signature ({@link #signLetter}). */
    static final String LETTER_SIGNATURE = "chassis-dlq-signature";
    /** The shortest {@code messaging.replay.key}: 256 bits of text. */
    static final int MIN_KEY = 32;
    private static final String HMAC = "HmacSHA256";

    private volatile SecretKeySpec key; // the random key is drawn at the first signature, not at start-up
    private final boolean configured;

    private ReplayMarker(byte[] key) {
        this.key = key == null ? null : new SecretKeySpec(key, HMAC);
        this.configured = key != null;
    }

    /**
     * A marker signed with {@code configured}, or with a random key of this process when it is null. The random key is
     * drawn when a record is first signed or verified: a service that never replays a dead letter does not seed
     * {@link SecureRandom} (about 60 JDK classes) while it starts.
     */
    static ReplayMarker of(String configured) {
        return new ReplayMarker(configured == null ? null : configured.getBytes(StandardCharsets.UTF_8));
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            synchronized (this) {
                k = key;
                if (k == null) {
                    byte[] random = new byte[32];
                    new SecureRandom().nextBytes(random);
                    k = new SecretKeySpec(random, HMAC);
                    key = k;
                }
            }
        }
        return k;
    }

    /**
     * The signature of replaying a record (as it will be published: topic, key, value and its CloudEvents headers)
     * for {@code group}.
     */
    String sign(String topic, String group, String recordKey, Map<String, List<String>> headers, byte[] value) {
        return hmac("replay", topic, group, recordKey, headers, h -> h.startsWith("ce_"), value);
    }

    /** Whether dead letters are signed: only with {@code messaging.replay.key}, which every instance shares. */
    boolean signsLetters() {
        return configured;
    }

    /**
     * The signature of a dead letter as it is published: its topic, key, value and every header but this signature
     * (the group, the source, the caller's claims among them), so that a letter written by anyone else — every
     * consumer of a topic may write its {@code .dlq} — is not replayed, signed, into a topic it could not write.
     */
    String signLetter(String dlqTopic, String recordKey, Map<String, List<String>> headers, byte[] value) {
        return hmac("dead-letter", dlqTopic, "", recordKey, headers, h -> !h.equals(LETTER_SIGNATURE), value);
    }

    /** Whether a dead letter carries a signature of this key over what it holds. */
    boolean letterVerifies(BrokerRecord letter) {
        String signature = letter.header(LETTER_SIGNATURE);
        if (signature == null) {
            return false;
        }
        byte[] expected = signLetter(letter.topic(), letter.key(), letter.headers(), letter.value())
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String hmac(String purpose, String topic, String group, String recordKey, Map<String, List<String>> headers,
                        Predicate<String> signed, byte[] value) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key());
            List<String> parts = new ArrayList<>(List.of(purpose, topic, group, recordKey == null ? "" : recordKey));
            for (String name : new TreeSet<>(headers.keySet())) {
                if (signed.test(name)) {
                    parts.add(name);
                    List<String> values = headers.get(name);
                    parts.add(Integer.toString(values.size()));
                    parts.addAll(values);
                }
            }
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                mac.update((byte) (bytes.length >>> 24));
                mac.update((byte) (bytes.length >>> 16));
                mac.update((byte) (bytes.length >>> 8));
                mac.update((byte) bytes.length);
                mac.update(bytes);
            }
            mac.update(value == null ? new byte[0] : value);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /**
     * The group a record is replayed for, when it carries a marker this process can verify; null when it carries
     * none or one that does not verify (forged, or signed with another key).
     */
    String verifiedGroup(BrokerRecord record) {
        String group = record.header(GROUP);
        String signature = record.header(SIGNATURE);
        if (group == null || signature == null) {
            return null;
        }
        byte[] expected = sign(record.topic(), group, record.key(), record.headers(), record.value())
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII)) ? group : null;
    }
}
