package dev.chassis.samples.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a server's CPU and allocation go, by layer, from a JFR recording (bench-profile.sh): each execution sample
 * and each allocation sample (weighted by its bytes) is charged to the layer of the innermost frame that is not the
 * JDK's own — so a {@code HashMap.get} called by a Chassis filter is Chassis', and samples with only JDK frames
 * (the virtual-thread scheduler, socket I/O, the JIT's work) are "JDK". The layers of the peers of bench-app.sh
 * ({@code PEERS=1}: Netty and Micronaut, Vert.x and Quarkus REST) are named too. A second table charges the same
 * samples to the JDK mechanism their innermost JDK frames belong to, whatever layer called it: virtual-thread
 * scheduling (park, unpark, yield, mount), epoll (the poller or a selector), socket reads and writes. Also the top
 * methods of one layer.
 *
 * <p>Usage: {@code java -cp ... dev.chassis.samples.benchmarks.JfrBreakdown FILE.jfr [LAYER | +PREFIX]}: with
 * {@code +PREFIX} (say {@code +dev.chassis.}), the methods of classes starting with it, each with the share of samples
 * it was anywhere on the stack of (inclusive time: a filter's share includes what it calls).
 */
public final class JfrBreakdown {
    /** Layers by class-name prefix, the first match wins (so observability comes before the rest of Chassis). */
    private static final Map<String, String> LAYERS = new LinkedHashMap<>();

    static {
        LAYERS.put("dev.chassis.observability.", "observability (Chassis: store, logs, metrics views)");
        LAYERS.put("dev.chassis.core.internal.telemetry.", "observability (Chassis: span, metrics)");
        LAYERS.put("io.opentelemetry.", "observability (OpenTelemetry SDK)");
        LAYERS.put("com.fasterxml.jackson.", "Jackson");
        LAYERS.put("io.grpc.", "Chassis (request deadline: gRPC Context)");
        LAYERS.put("dev.chassis.", "Chassis (filters, binding, overload)");
        LAYERS.put("io.helidon.webserver.http.", "Helidon routing and filters");
        LAYERS.put("io.helidon.", "Helidon connection, parsing, writing");
        LAYERS.put("io.micronaut.serde.", "Micronaut serde (JSON binding)");
        LAYERS.put("io.micronaut.", "Micronaut (routing, binding, server)");
        LAYERS.put("io.netty.", "Netty (event loop, HTTP codec, writing)");
        LAYERS.put("io.vertx.", "Vert.x (event loop, HTTP codec, writing)");
        LAYERS.put("org.jboss.resteasy.reactive.", "Quarkus REST (routing, binding)");
        LAYERS.put("io.quarkus.", "Quarkus REST (routing, binding)");
        LAYERS.put("org.jboss.threads.", "Quarkus worker pool (JBoss Threads)");
    }

    /** JDK mechanisms by class-name prefix ({@code Class.method} for two of {@code Unsafe}'s), the first match wins. */
    private static final Map<String, String> MECHANISMS = new LinkedHashMap<>();

    static {
        String scheduling = "parking: virtual threads (park, unpark, yield, mount), FJP, LockSupport";
        MECHANISMS.put("java.lang.VirtualThread", scheduling);
        MECHANISMS.put("jdk.internal.vm.Continuation", scheduling);
        MECHANISMS.put("java.util.concurrent.ForkJoin", scheduling);
        MECHANISMS.put("java.util.concurrent.locks.LockSupport", scheduling);
        MECHANISMS.put("jdk.internal.misc.Unsafe.park", scheduling);
        MECHANISMS.put("jdk.internal.misc.Unsafe.unpark", scheduling);
        String epoll = "epoll: the JDK's poller or a NIO selector";
        MECHANISMS.put("sun.nio.ch.Poller", epoll);
        MECHANISMS.put("sun.nio.ch.EPoll", epoll);
        MECHANISMS.put("sun.nio.ch.SelectorImpl", epoll);
        MECHANISMS.put("sun.nio.ch.SelectionKeyImpl", epoll);
        String socket = "socket reads and writes (JDK, Java code)";
        MECHANISMS.put("sun.nio.ch.NioSocketImpl", socket);
        MECHANISMS.put("sun.nio.ch.SocketChannelImpl", socket);
        MECHANISMS.put("sun.nio.ch.SocketDispatcher", socket);
        MECHANISMS.put("sun.nio.ch.IOUtil", socket);
        MECHANISMS.put("sun.nio.ch.Net", socket);
        MECHANISMS.put("sun.nio.ch.Util", socket);
        MECHANISMS.put("sun.nio.ch.NativeThread", socket);
        MECHANISMS.put("java.net.Socket", socket);
    }

    private JfrBreakdown() {
    }

    /**
     * Prints the breakdown.
     *
     * @param args the recording, then optionally a layer name prefix whose top methods to list
     * @throws IOException when the recording cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrBreakdown FILE.jfr [LAYER]");
            System.exit(2);
        }
        Map<String, Double> cpu = new TreeMap<>();
        Map<String, Double> alloc = new TreeMap<>();
        Map<String, Double> methods = new TreeMap<>();
        Map<String, Double> mechanisms = new TreeMap<>();
        double cpuTotal = 0;
        double allocTotal = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            boolean sample = type.equals("jdk.ExecutionSample");
            boolean allocation = type.equals("jdk.ObjectAllocationSample");
            if (!sample && !allocation || e.getStackTrace() == null) {
                continue;
            }
            double weight = allocation ? e.getLong("weight") : 1;
            RecordedFrame frame = charged(e.getStackTrace().getFrames());
            String layer = frame == null ? "JDK (scheduler, sockets, GC)" : layer(frame);
            (sample ? cpu : alloc).merge(layer, weight, Double::sum);
            if (sample) {
                cpuTotal += weight;
                mechanisms.merge(mechanism(e.getStackTrace().getFrames()), weight, Double::sum);
                if (args.length > 1 && args[1].startsWith("+")) {
                    inclusive(e.getStackTrace().getFrames(), args[1].substring(1), methods);
                } else if (args.length > 1 && layer.startsWith(args[1]) && frame != null) {
                    methods.merge(frame.getMethod().getType().getName() + "." + frame.getMethod().getName(), 1.0, Double::sum);
                }
            } else {
                allocTotal += weight;
            }
        }
        System.out.printf("%-52s %8s %8s%n", "layer", "CPU", "alloc");
        for (String layer : union(cpu, alloc)) {
            System.out.printf("%-52s %7.1f%% %7.1f%%%n", layer, 100 * cpu.getOrDefault(layer, 0.0) / Math.max(1, cpuTotal),
                    100 * alloc.getOrDefault(layer, 0.0) / Math.max(1, allocTotal));
        }
        System.out.printf("(%d execution samples, %.0f MB of sampled allocation)%n", (long) cpuTotal, allocTotal / 1e6);
        System.out.printf("%-52s %8s%n", "JDK mechanism of the innermost JDK frames", "CPU");
        for (Map.Entry<String, Double> m : mechanisms.entrySet()) {
            System.out.printf("%-52s %7.1f%%%n", m.getKey(), 100 * m.getValue() / Math.max(1, cpuTotal));
        }
        if (args.length > 1) {
            double total = cpuTotal;
            methods.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(30)
                    .forEach(m -> System.out.printf("  %5.1f%% %s%n", 100 * m.getValue() / total, m.getKey()));
        }
    }

    /** Counts the sample once for every distinct method on its stack whose class name starts with {@code prefix}. */
    private static void inclusive(List<RecordedFrame> frames, String prefix, Map<String, Double> methods) {
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith(prefix)) {
                String m = type + "." + f.getMethod().getName();
                if (seen.add(m)) {
                    methods.merge(m, 1.0, Double::sum);
                }
            }
        }
    }

    /** The innermost frame that is not the JDK's, or null when all are. */
    private static RecordedFrame charged(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String name = f.getMethod().getType().getName();
            if (!name.startsWith("java.") && !name.startsWith("jdk.") && !name.startsWith("sun.")) {
                return f;
            }
        }
        return null;
    }

    /** The mechanism of the innermost JDK frames (those before the first non-JDK frame) that match one. */
    private static String mechanism(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                break;
            }
            String method = type + "." + f.getMethod().getName();
            for (Map.Entry<String, String> m : MECHANISMS.entrySet()) {
                if (method.startsWith(m.getKey())) {
                    return m.getValue();
                }
            }
        }
        return "none of these (the layers' own code, other JDK code)";
    }

    private static String layer(RecordedFrame frame) {
        String name = frame.getMethod().getType().getName();
        for (Map.Entry<String, String> l : LAYERS.entrySet()) {
            if (name.startsWith(l.getKey())) {
                return l.getValue();
            }
        }
        return "other (" + name.substring(0, Math.max(0, name.lastIndexOf('.'))) + ")";
    }

    private static List<String> union(Map<String, Double> a, Map<String, Double> b) {
        TreeMap<String, Double> all = new TreeMap<>(a);
        b.forEach((k, v) -> all.merge(k, v, Double::sum));
        return List.copyOf(all.keySet());
    }
}
