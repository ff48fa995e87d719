package dev.chassis.core.internal.server;

/**
 * The default of {@code server.max-connections}: as many connections as fit in a share of the heap.
 *
 * <p>A connection costs the heap whether or not it sends anything: Helidon's socket buffers, its reader, its
 * virtual thread's stack; a TLS connection adds the engine's four record buffers. Measured with a thousand
 * connections that had sent a few bytes of a request's headers, after a full collection (JDK 25, Helidon 4.5.0):
 * on a plaintext port (plain sockets) 17 KB an HTTP/1.1 connection and 22 KB an HTTP/2 one in the middle of a header
 * block, counted as 25 KB; 102 KB a TLS connection (NIO). A connection may also hold up to
 * {@code server.max-header-size} of headers it has not finished sending, so each is counted at its base cost plus
 * that. A fixed limit of 10,000 let one
 * client with 10,000 slow connections exhaust a 256 MiB heap within seconds; the default keeps the connections of the
 * service port within half the heap and those of the management port (probes, scrapes) within an eighth. Not API.
 */
final class ConnectionBudget {
    /** A plaintext connection's own cost (17 KB measured over HTTP/1.1, 22 KB over HTTP/2). */
    static final long PLAINTEXT_BYTES = 25L * 1024;
    /** A TLS connection's own cost (102 KB measured). */
    static final long TLS_BYTES = 100L * 1024;
    static final int MIN = 64;
    static final int MAX = 10_000;

    private ConnectionBudget() {
    }

    /**
     * @param maxHeap        the heap's limit in bytes ({@link Runtime#maxMemory()})
     * @param tls            whether the port speaks TLS
     * @param management     whether it is the management port
     * @param maxHeaderBytes {@code server.max-header-size}
     * @return the most connections the port keeps open when {@code server.max-connections} is not set
     */
    static int defaultMaxConnections(long maxHeap, boolean tls, boolean management, long maxHeaderBytes) {
        long share = management ? maxHeap / 8 : maxHeap / 2;
        long fit = share / ((tls ? TLS_BYTES : PLAINTEXT_BYTES) + maxHeaderBytes);
        return (int) Math.max(MIN, Math.min(MAX, fit));
    }
}
