package dev.chassis.observability.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;

/**
 * The service map: services as nodes, calls as edges, from each service's client metrics
 * ({@code http.client.request.duration}, {@code rpc.client.call.duration} by {@code peer.service}) and messaging
 * metrics (a topic one service sends to, {@code messaging.client.operation.duration}, and another processes,
 * {@code messaging.process.duration}, is an edge between them): this service's edges, then those of the services it
 * calls, asked for theirs, and so on. Counts are since each service started; the page turns two readings into rates.
 * Not API.
 */
final class ServiceMap {
    private final String self;
    private final Peers peers;
    private final List<String> configured;

    ServiceMap(String self, Peers peers, List<String> configured) {
        this.self = self;
        this.peers = peers;
        this.configured = configured;
    }

    /**
     * Calls from one service to another: how many, and how many failed (5xx, a transport error, a gRPC error). For
     * {@code protocol} {@code messaging}, {@code via} is the topic and the counts are the messages the receiving
     * service processed and failed to.
     */
    record Edge(String from, String to, String protocol, String via, long calls, long errors) {
    }

    /** A topic a service sends to or processes: how many messages, how many failed. */
    record Topic(String name, long messages, long errors) {
    }

    /** What {@code GET /console/api/edges} answers: one service's own calls, and the topics it sends and processes. */
    record Edges(String service, List<Edge> edges, List<Topic> sends, List<Topic> processes) {
    }

    /** What {@code GET /console/api/map} answers. */
    record Graph(List<String> services, List<Edge> edges, List<Peers.Unreached> unreached) {
    }

    /** This service's edges, from its client metrics. */
    static Edges local(String self, Collection<MetricData> metrics) {
        Map<String, long[]> counts = new LinkedHashMap<>(); // "protocol peer" -> {calls, errors}
        Map<String, long[]> sends = new LinkedHashMap<>();
        Map<String, long[]> processes = new LinkedHashMap<>();
        for (MetricData m : metrics) {
            Map<String, long[]> topics = m.getName().equals("messaging.client.operation.duration") ? sends
                    : m.getName().equals("messaging.process.duration") ? processes : null;
            if (topics != null) {
                count(m, "messaging.destination.name", topics);
                continue;
            }
            String protocol = m.getName().equals("http.client.request.duration") ? "http"
                    : m.getName().equals("rpc.client.call.duration") ? "grpc" : null;
            if (protocol == null) {
                continue;
            }
            for (HistogramPointData p : m.getHistogramData().getPoints()) {
                Map<String, Object> a = MetricsSummary.attributes(p.getAttributes());
                if (!(a.get("peer.service") instanceof String peer)) {
                    continue;
                }
                long[] c = counts.computeIfAbsent(protocol + " " + peer, k -> new long[2]);
                c[0] += p.getCount();
                if (failed(a)) {
                    c[1] += p.getCount();
                }
            }
        }
        List<Edge> edges = new ArrayList<>();
        counts.forEach((k, c) -> edges.add(new Edge(self, k.substring(k.indexOf(' ') + 1), k.substring(0, k.indexOf(' ')),
                null, c[0], c[1])));
        return new Edges(self, edges, topics(sends), topics(processes));
    }

    private static void count(MetricData m, String key, Map<String, long[]> into) {
        for (HistogramPointData p : m.getHistogramData().getPoints()) {
            Map<String, Object> a = MetricsSummary.attributes(p.getAttributes());
            if (a.get(key) instanceof String name) {
                long[] c = into.computeIfAbsent(name, k -> new long[2]);
                c[0] += p.getCount();
                if (failed(a)) {
                    c[1] += p.getCount();
                }
            }
        }
    }

    private static List<Topic> topics(Map<String, long[]> counts) {
        List<Topic> out = new ArrayList<>();
        counts.forEach((name, c) -> out.add(new Topic(name, c[0], c[1])));
        return out;
    }

    private static boolean failed(Map<String, Object> a) {
        return a.containsKey("error.type")
                || a.get("http.response.status_code") instanceof Long s && s >= 500
                || a.get("rpc.grpc.status_code") instanceof Long g && g != 0;
    }

    /** This service's edges and, through them, the whole graph the services it reaches report. */
    Graph graph(Edges mine) {
        Set<String> services = new LinkedHashSet<>(List.of(self));
        List<Edge> edges = new ArrayList<>(mine.edges());
        Map<String, Set<String>> senders = new LinkedHashMap<>();       // topic -> services
        Map<String, Map<String, long[]>> receivers = new LinkedHashMap<>(); // topic -> service -> {messages, errors}
        topics(self, mine.sends(), mine.processes(), senders, receivers);
        Set<String> next = new LinkedHashSet<>();
        mine.edges().forEach(e -> next.add(e.to()));
        next.addAll(configured);
        Set<String> asked = new HashSet<>(Set.of(self));
        List<Peers.Unreached> unreached = new ArrayList<>();
        while (!next.isEmpty() && asked.size() < TraceJoin.MAX_SERVICES) {
            List<String> round = next.stream().filter(asked::add).limit(TraceJoin.MAX_SERVICES).toList();
            next.clear();
            Set<String> reported = new HashSet<>();
            for (Peers.Answer a : peers.ask(round, "/console/api/edges")) {
                services.add(a.service());
                if (a.problem() != null || a.status() != 200 || a.body() == null) {
                    unreached.add(new Peers.Unreached(a.service(), a.uri() == null ? null : a.uri().toString(),
                            a.problem() != null ? a.problem() : "answered " + a.status()));
                    continue;
                }
                topics(a.service(), read(a.body().path("sends")), read(a.body().path("processes")), senders, receivers);
                for (JsonNode e : a.body().path("edges")) {
                    Edge edge = new Edge(e.path("from").asText(), e.path("to").asText(), e.path("protocol").asText(),
                            null, e.path("calls").asLong(), e.path("errors").asLong());
                    // several instances of a service each report their own counts: they add up
                    if (reported.add(a.uri() + " " + edge.to() + " " + edge.protocol())) {
                        edges.add(edge);
                    }
                    next.add(edge.to());
                }
            }
        }
        senders.forEach((topic, from) -> receivers.getOrDefault(topic, Map.of()).forEach((to, c) -> from.forEach(f ->
                edges.add(new Edge(f, to, "messaging", topic, c[0], c[1])))));
        edges.forEach(e -> services.add(e.to()));
        return new Graph(List.copyOf(services), merge(edges), unreached);
    }

    /** Adds a service's topics; every instance's messages add up. */
    private static void topics(String service, List<Topic> sends, List<Topic> processes, Map<String, Set<String>> senders,
                               Map<String, Map<String, long[]>> receivers) {
        sends.forEach(t -> senders.computeIfAbsent(t.name(), k -> new LinkedHashSet<>()).add(service));
        for (Topic t : processes) {
            long[] c = receivers.computeIfAbsent(t.name(), k -> new LinkedHashMap<>()).computeIfAbsent(service,
                    k -> new long[2]);
            c[0] += t.messages();
            c[1] += t.errors();
        }
    }

    private static List<Topic> read(JsonNode topics) {
        List<Topic> out = new ArrayList<>();
        topics.forEach(t -> out.add(new Topic(t.path("name").asText(), t.path("messages").asLong(),
                t.path("errors").asLong())));
        return out;
    }

    private static List<Edge> merge(List<Edge> edges) {
        Map<String, Edge> merged = new LinkedHashMap<>();
        for (Edge e : edges) {
            merged.merge(e.from() + " " + e.to() + " " + e.protocol() + " " + e.via(), e, (x, y) -> new Edge(x.from(),
                    x.to(), x.protocol(), x.via(), x.calls() + y.calls(), x.errors() + y.errors()));
        }
        return List.copyOf(merged.values());
    }
}
