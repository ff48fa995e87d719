package dev.chassis.core.internal.tls;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;

/**
 * The server's failed TLS handshakes: each is counted in {@code chassis.tls.handshake.failures} by peer address and
 * kind, and logged once per peer address and kind — a client retrying with a wrong certificate does not fill the log.
 * The memory of what was logged is bounded (the oldest pairs are forgotten, and would be logged again). Thread-safe.
 * Not API.
 */
public final class HandshakeFailures {
    /** The counter's name. */
    public static final String METRIC = "chassis.tls.handshake.failures";
    static final AttributeKey<String> PEER = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("error.type");
    private static final System.Logger LOG = System.getLogger(HandshakeFailures.class.getName());
    private static final int REMEMBERED = 1024;

    private final String bundle;
    private final LongCounter counter;
    private final Map<String, Boolean> logged = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * @param bundle the bundle the port serves, for the log line
     * @param otel   where the counter goes (a no-op one when telemetry is off)
     */
    public HandshakeFailures(String bundle, OpenTelemetry otel) {
        this.bundle = bundle;
        this.counter = otel.getMeter("dev.chassis").counterBuilder(METRIC).setUnit("{handshake}")
                .setDescription("TLS handshakes the server's port failed, by peer address and kind").build();
    }

    /**
     * One failed handshake.
     *
     * @param peer   the client's IP address
     * @param reason the TLS reason, or {@link TlsFailures#TIMEOUT}
     */
    public void failed(String peer, String reason) {
        String kind = TlsFailures.kind(reason);
        counter.add(1, Attributes.of(PEER, peer, KIND, kind));
        boolean first;
        synchronized (logged) {
            first = logged.putIfAbsent(peer + " " + kind, Boolean.TRUE) == null;
        }
        if (first) {
            LOG.log(Level.WARNING, "TLS handshake with {0} failed ({1}, bundle ''{2}''): {3}. Further {1} failures from"
                    + " {0} are counted in " + METRIC + ", not logged", peer, kind, bundle,
                    reason.equals(TlsFailures.TIMEOUT) ? "no request within server.tls.handshake-timeout" : reason);
        }
    }
}
