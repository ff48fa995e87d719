package dev.chassis.samples.benchmarks;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of bench-overload.sh: HTTP/1.1 over plain sockets, on virtual threads.
 * <ul>
 * <li>{@code open HOST PORT PATH RATE WARMUP SECONDS MAX_CONNECTIONS TIMEOUT_MS}: an <em>open-loop</em> load. Request
 * {@code i} is due at {@code start + i / RATE}, whatever happened to the ones before it; it takes an idle keep-alive
 * connection or opens one (at most {@code MAX_CONNECTIONS} in use, as a fleet of clients would have; a request that
 * waits for one waits on its own clock). Its latency runs from when it was due, so a server that falls behind
 * shows it (no coordinated omission). A request without an answer {@code TIMEOUT_MS} after it was due is a timeout
 * and its connection is closed. Only requests due in the {@code SECONDS} after the {@code WARMUP} count. Prints one
 * line of {@code key=value}: the requests due, 2xx, 503, other statuses, errors (connection refused or reset),
 * timeouts, goodput (2xx per second), p50/p99/max latency of the 2xx in ms, how late the generator started the
 * requests (p99 ms: if it is large, the machine could not keep up with the rate), the connections it opened.</li>
 * <li>{@code slowloris HOST PORT CONNECTIONS INTERVAL_MS SECONDS}: {@code CONNECTIONS} connections each send a
 * request line and then one byte of a header every {@code INTERVAL_MS}, never finishing it; a connection the server
 * closes or answers (408) is opened again. Prints how many were open at the end, how many the server ended and
 * how many connects failed.</li>
 * </ul>
 */
public final class OpenLoad {
    private static final ThreadFactory VIRTUAL = Thread.ofVirtual().name("load-", 0).factory();

    private OpenLoad() {
    }

    /**
     * Runs one load and prints its line.
     *
     * @param args {@code open ...} or {@code slowloris ...}, as the class describes
     * @throws Exception when the load cannot run
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 9 && args[0].equals("open")) {
            new Open(new InetSocketAddress(args[1], Integer.parseInt(args[2])), args[3], Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]),
                    Integer.parseInt(args[8])).run();
        } else if (args.length == 6 && args[0].equals("slowloris")) {
            slowloris(new InetSocketAddress(args[1], Integer.parseInt(args[2])), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        } else {
            System.err.println("usage: OpenLoad open HOST PORT PATH RATE WARMUP SECONDS MAX_CONNECTIONS TIMEOUT_MS\n"
                    + "       OpenLoad slowloris HOST PORT CONNECTIONS INTERVAL_MS SECONDS");
            System.exit(2);
        }
    }

    /** One open-loop run. */
    private static final class Open {
        private final InetSocketAddress address;
        private final byte[] request;
        private final int rate;
        private final long timeoutNanos;
        private final Semaphore connections;
        private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
        private final long start;
        private final long measureFrom;
        private final long measureTo;
        private final int due;
        private final int[] latencies;
        private final int[] lags;
        private final AtomicInteger latencyCount = new AtomicInteger();
        private final AtomicInteger lagCount = new AtomicInteger();
        private final AtomicInteger outstanding = new AtomicInteger();
        private final LongAdder ok = new LongAdder();
        private final LongAdder refused = new LongAdder();
        private final LongAdder other = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder timeouts = new LongAdder();
        private final LongAdder opened = new LongAdder();
        private final int seconds;

        Open(InetSocketAddress address, String path, int rate, int warmup, int seconds, int maxConnections, int timeoutMs) {
            this.address = address;
            this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                    + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            this.rate = rate;
            this.seconds = seconds;
            this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            this.connections = new Semaphore(maxConnections);
            this.start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            this.measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            this.measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            this.due = (int) ((long) rate * (warmup + seconds));
            int measured = (int) ((long) rate * seconds) + 1;
            this.latencies = new int[measured];
            this.lags = new int[measured];
        }

        void run() throws InterruptedException {
            for (int i = 0; i < due; i++) {
                long at = start + (long) (i * 1e9 / rate);
                for (long now = System.nanoTime(); now < at; now = System.nanoTime()) {
                    LockSupport.parkNanos(at - now);
                }
                outstanding.incrementAndGet();
                VIRTUAL.newThread(() -> one(at)).start();
            }
            long last = start + (long) (due * 1e9 / rate);
            while (outstanding.get() > 0 && System.nanoTime() < last + timeoutNanos + TimeUnit.SECONDS.toNanos(2)) {
                Thread.sleep(20);
            }
            for (Connection c = idle.poll(); c != null; c = idle.poll()) {
                c.close();
            }
            int n = latencyCount.get();
            int[] sorted = Arrays.copyOf(latencies, Math.min(n, latencies.length));
            Arrays.sort(sorted);
            int[] lag = Arrays.copyOf(lags, Math.min(lagCount.get(), lags.length));
            Arrays.sort(lag);
            long measured = (long) rate * seconds;
            System.out.printf(Locale.ROOT, "due=%d ok=%d refused=%d other=%d errors=%d timeouts=%d unfinished=%d"
                            + " goodput=%.1f p50=%.2f p99=%.2f max=%.2f lag99=%.2f opened=%d%n",
                    measured, ok.sum(), refused.sum(), other.sum(), errors.sum(), timeouts.sum(),
                    measured - ok.sum() - refused.sum() - other.sum() - errors.sum() - timeouts.sum(),
                    ok.sum() / (double) seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
                    percentile(sorted, 1.0), percentile(lag, 0.99), opened.sum());
        }

        private void one(long dueAt) {
            boolean measured = dueAt >= measureFrom && dueAt < measureTo;
            long deadline = dueAt + timeoutNanos;
            try {
                if (measured) {
                    record(lags, lagCount, System.nanoTime() - dueAt);
                }
                if (!connections.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    count(measured, timeouts);
                    return;
                }
                try {
                    exchange(dueAt, deadline, measured);
                } finally {
                    connections.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                outstanding.decrementAndGet();
            }
        }

        private void exchange(long dueAt, long deadline, boolean measured) {
            Connection c = idle.pollFirst();
            boolean reused = c != null;
            while (true) {
                try {
                    if (c == null) {
                        c = Connection.open(address, deadline);
                        opened.increment();
                    }
                    int status = c.exchange(request, deadline);
                    long latency = System.nanoTime() - dueAt;
                    if (c.keepAlive) {
                        idle.offerFirst(c);
                    } else {
                        c.close();
                    }
                    if (status / 100 == 2) {
                        if (measured) {
                            ok.increment();
                            record(latencies, latencyCount, latency);
                        }
                    } else {
                        count(measured, status == 503 ? refused : other);
                    }
                    return;
                } catch (SocketTimeoutException e) {
                    c = closeQuietly(c);
                    count(measured, timeouts);
                    return;
                } catch (IOException e) {
                    boolean stale = reused && c != null && !c.answered;
                    c = closeQuietly(c);
                    if (stale && System.nanoTime() < deadline) {
                        reused = false; // a keep-alive connection the server had closed: once more on a new one
                        continue;
                    }
                    count(measured, System.nanoTime() >= deadline ? timeouts : errors);
                    return;
                }
            }
        }

        private static Connection closeQuietly(Connection c) {
            if (c != null) {
                c.close();
            }
            return null;
        }

        private static void count(boolean measured, LongAdder counter) {
            if (measured) {
                counter.increment();
            }
        }

        private static void record(int[] values, AtomicInteger count, long nanos) {
            int i = count.getAndIncrement();
            if (i < values.length) {
                values[i] = (int) Math.min(Integer.MAX_VALUE, nanos / 1000);
            }
        }

        private static double percentile(int[] sortedMicros, double p) {
            if (sortedMicros.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.min(sortedMicros.length - 1, Math.max(0, Math.ceil(p * sortedMicros.length) - 1));
            return sortedMicros[i] / 1000.0;
        }
    }

    /** A keep-alive HTTP/1.1 connection, used by one request at a time. */
    private static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private boolean keepAlive = true;
        private boolean answered;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        }

        static Connection open(InetSocketAddress address, long deadline) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(address, remainingMillis(deadline));
                return new Connection(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        /** Sends the request and reads the answer; its status. */
        int exchange(byte[] request, long deadline) throws IOException {
            answered = false;
            out.write(request);
            out.flush();
            socket.setSoTimeout(remainingMillis(deadline));
            String statusLine = line();
            answered = true;
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IOException("not HTTP: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = 0;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, Math.max(0, colon)).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> keepAlive = !value.contains("close");
                    default -> {
                    }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                     size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else {
                skip(length);
            }
            return status;
        }

        private void skip(long n) throws IOException {
            for (long left = n; left > 0; ) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException();
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        private static int remainingMillis(long deadline) throws SocketTimeoutException {
            long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (ms <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            return (int) Math.min(Integer.MAX_VALUE, ms);
        }
    }

    private static void slowloris(InetSocketAddress address, int connections, int intervalMs, int seconds)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicInteger open = new AtomicInteger();
        LongAdder ended = new LongAdder();
        LongAdder failed = new LongAdder();
        byte[] requestLine = ("GET /work HTTP/1.1\r\nHost: " + address.getHostString() + "\r\nX-Slow: ")
                .getBytes(StandardCharsets.US_ASCII);
        Thread[] threads = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            long first = TimeUnit.MILLISECONDS.toNanos((long) intervalMs * i / connections); // spread over an interval
            threads[i] = VIRTUAL.newThread(() -> {
                LockSupport.parkNanos(first);
                while (System.nanoTime() < end) {
                    try (Socket socket = new Socket()) {
                        socket.connect(address, 5000);
                        open.incrementAndGet();
                        try {
                            OutputStream out = socket.getOutputStream();
                            InputStream in = socket.getInputStream();
                            out.write(requestLine);
                            out.flush();
                            socket.setSoTimeout(intervalMs);
                            while (System.nanoTime() < end) {
                                try {
                                    in.read(); // the server answered (408) or closed: open another one
                                    ended.increment();
                                    break;
                                } catch (SocketTimeoutException e) {
                                    out.write('a'); // one more byte of a header that never ends
                                    out.flush();
                                }
                            }
                        } finally {
                            open.decrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.increment();
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMs));
                    }
                }
            });
            threads[i].start();
        }
        long report = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) - TimeUnit.MILLISECONDS.toNanos(500);
        LockSupport.parkNanos(Math.max(0, report - System.nanoTime()));
        System.out.printf(Locale.ROOT, "connections=%d open=%d ended_by_server=%d connect_failures=%d%n", connections,
                open.get(), ended.sum(), failed.sum());
        System.out.flush();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(intervalMs / 1000 + 6));
        }
    }
}
