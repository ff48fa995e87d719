package dev.chassis.observability.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One trace across services: this service's spans, then those of every service its spans name as
 * {@code peer.service} (and the configured peers), then of the services their spans name, and so on, asked for
 * the same trace id in their trace stores. Not API.
 */
final class TraceJoin {
    /** How many services one join asks at most: a bound on the fan-out, not a limit any real trace meets. */
    static final int MAX_SERVICES = 50;

    private final String self;
    private final TraceStore store;
    private final Peers peers;
    private final List<String> configured;
    /** Whether the console is served on the management port: only there may peers' exception details be shown. */
    private final boolean exceptionDetails;

    TraceJoin(String self, TraceStore store, Peers peers, List<String> configured, boolean exceptionDetails) {
        this.self = self;
        this.store = store;
        this.peers = peers;
        this.configured = configured;
        this.exceptionDetails = exceptionDetails;
    }

    /** The spans found (this service's as served by the store, the others' as their stores served them). */
    record Joined(String traceId, List<String> services, List<Object> spans, List<Peers.Unreached> unreached) {
    }

    Joined join(String traceId) {
        List<Object> spans = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> services = new LinkedHashSet<>();
        Set<String> next = new LinkedHashSet<>();
        List<TraceStore.SpanView> local = store == null ? List.of() : store.trace(traceId);
        for (TraceStore.SpanView span : local) {
            spans.add(span);
            ids.add(span.spanId());
            services.add(self);
            if (span.kind().equals("CLIENT") && span.attributes().get("peer.service") instanceof String peer) {
                next.add(peer);
            }
        }
        next.addAll(configured);
        Set<String> asked = new HashSet<>(Set.of(self));
        List<Peers.Unreached> unreached = new ArrayList<>();
        while (!next.isEmpty() && asked.size() < MAX_SERVICES) {
            List<String> round = next.stream().filter(asked::add).limit(MAX_SERVICES).toList();
            next = new LinkedHashSet<>();
            for (Peers.Answer a : peers.ask(round, "/observe/traces/" + traceId)) {
                if (a.problem() != null) {
                    unreached.add(new Peers.Unreached(a.service(), a.uri() == null ? null : a.uri().toString(),
                            a.problem()));
                } else if (a.status() == 200 && a.body() != null) {
                    for (JsonNode span : a.body().path("spans")) {
                        if (ids.add(span.path("spanId").asText())) {
                            if (!exceptionDetails) {
                                withoutExceptionDetails(span);
                            }
                            spans.add(span);
                            services.add(span.path("service").asText(a.service()));
                            String peer = span.path("attributes").path("peer.service").asText("");
                            if (span.path("kind").asText().equals("CLIENT") && !peer.isEmpty()) {
                                next.add(peer);
                            }
                        }
                    }
                } else if (a.status() != 404) { // 404: the service holds no span of the trace
                    unreached.add(new Peers.Unreached(a.service(), a.uri().toString(), "answered " + a.status()));
                }
            }
        }
        return new Joined(traceId, List.copyOf(services), spans, unreached);
    }

    /**
     * Removes what a peer's store keeps of exceptions beyond their type (it serves it on its management port): a
     * console on the service port shows no exception message or stack trace, its own or a peer's.
     */
    private static void withoutExceptionDetails(JsonNode span) {
        strip(span.path("attributes"));
        for (JsonNode event : span.path("events")) {
            strip(event.path("attributes"));
        }
    }

    private static void strip(JsonNode attributes) {
        if (attributes instanceof ObjectNode o) {
            o.remove(List.of(SpanHygiene.EXCEPTION_MESSAGE.getKey(), SpanHygiene.EXCEPTION_STACKTRACE.getKey()));
        }
    }
}
