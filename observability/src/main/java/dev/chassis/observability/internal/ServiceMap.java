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
 * ({@code http.client.request.duration}, {@code rpc.client.call.duration} by {@code peer.service}): this service's
 * edges, then those of the services it calls, asked for theirs, and so on. Counts are since each service started;
 * the page turns two readings into rates. Not API.
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

    /** Calls from one service to another: how many, and how many failed (5xx, a transport error, a gRPC error). */
    record Edge(String from, String to, String protocol, long calls, long errors) {
    }

    /** What {@code GET /console/api/edges} answers: one service's own edges. */
    record Edges(String service, List<Edge> edges) {
    }

    /** What {@code GET /console/api/map} answers. */
    record Graph(List<String> services, List<Edge> edges, List<Peers.Unreached> unreached) {
    }

    /** This service's edges, from its client metrics. */
    static Edges local(String self, Collection<MetricData> metrics) {
        Map<String, long[]> counts = new LinkedHashMap<>(); // "protocol peer" -> {calls, errors}
        for (MetricData m : metrics) {
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
                c[0], c[1])));
        return new Edges(self, edges);
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
        Set<String> next = new LinkedHashSet<>();
        mine.edges().forEach(e -> next.add(e.to()));
        next.addAll(configured);
        Set<String> asked = new HashSet<>(Set.of(self));
        List<Peers.Unreached> unreached = new ArrayList<>();
        while (!next.isEmpty() && asked.size() < TraceJoin.MAX_SERVICES) {
            List<String> round = next.stream().filter(asked::add).toList();
            next.clear();
            Set<String> reported = new HashSet<>();
            for (Peers.Answer a : peers.ask(round, "/console/api/edges")) {
                services.add(a.service());
                if (a.problem() != null || a.status() != 200 || a.body() == null) {
                    unreached.add(new Peers.Unreached(a.service(), a.uri() == null ? null : a.uri().toString(),
                            a.problem() != null ? a.problem() : "answered " + a.status()));
                    continue;
                }
                for (JsonNode e : a.body().path("edges")) {
                    Edge edge = new Edge(e.path("from").asText(), e.path("to").asText(), e.path("protocol").asText(),
                            e.path("calls").asLong(), e.path("errors").asLong());
                    // several instances of a service each report their own counts: they add up
                    if (reported.add(a.uri() + " " + edge.to() + " " + edge.protocol())) {
                        edges.add(edge);
                    }
                    next.add(edge.to());
                }
            }
        }
        edges.forEach(e -> services.add(e.to()));
        return new Graph(List.copyOf(services), merge(edges), unreached);
    }

    private static List<Edge> merge(List<Edge> edges) {
        Map<String, Edge> merged = new LinkedHashMap<>();
        for (Edge e : edges) {
            merged.merge(e.from() + " " + e.to() + " " + e.protocol(), e, (x, y) -> new Edge(x.from(), x.to(),
                    x.protocol(), x.calls() + y.calls(), x.errors() + y.errors()));
        }
        return List.copyOf(merged.values());
    }
}
