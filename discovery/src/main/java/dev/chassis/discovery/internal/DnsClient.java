package dev.chassis.discovery.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A small DNS client over UDP (RFC 1035, SRV from RFC 2782): A, AAAA and SRV queries, with each record's TTL,
 * which the JDK's resolver does not give. Servers are asked in turn until one answers. Not API.
 */
final class DnsClient {
    static final int A = 1;
    static final int AAAA = 28;
    static final int SRV = 33;

    /** An answer record: an address (A, AAAA) or a target and port (SRV). */
    record Record(int type, String name, long ttlSeconds, String address, int priority, int weight, int port,
                  String target) {
    }

    /** A name that does not exist (NXDOMAIN) or has no record of the type: an empty answer, not a failure. */
    record Answer(List<Record> records, boolean nameExists) {
    }

    private final List<InetSocketAddress> servers;
    private final Duration timeout;

    DnsClient(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server");
        }
        this.servers = List.copyOf(servers);
        this.timeout = timeout;
    }

    Answer query(String name, int type) throws IOException {
        IOException last = null;
        for (InetSocketAddress server : servers) {
            try {
                return ask(server, name, type);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private Answer ask(InetSocketAddress server, String name, int type) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        byte[] query = encode(id, name, type);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.send(new DatagramPacket(query, query.length, server));
            byte[] buffer = new byte[4096];
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    throw new IOException("the DNS server " + server + " did not answer within " + timeout, e);
                }
                ByteBuffer in = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
                if (packet.getLength() < 12 || (in.getShort(0) & 0xffff) != id
                        || !server.equals(packet.getSocketAddress())) {
                    continue; // not the answer to this query
                }
                try {
                    return decode(in, server);
                } catch (RuntimeException e) { // out of bounds, a bad address: a malformed answer
                    throw new IOException("a malformed DNS answer from " + server + ": " + e, e);
                }
            }
        }
    }

    static byte[] encode(int id, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x01); // recursion desired
        out.write(0x00);
        out.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 1}); // one question, one additional record (EDNS0)
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) {
                continue;
            }
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            if (b.length > 63) {
                throw new IllegalArgumentException("the DNS label '" + label + "' is longer than 63 characters");
            }
            out.write(b.length);
            out.writeBytes(b);
        }
        out.write(0);
        out.write(type >> 8);
        out.write(type);
        out.write(0);
        out.write(1); // class IN
        // EDNS0 OPT (RFC 6891): answers of up to 4096 bytes over UDP instead of 512
        out.writeBytes(new byte[] {0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0});
        return out.toByteArray();
    }

    private static Answer decode(ByteBuffer in, InetSocketAddress server) throws IOException {
        int flags = in.getShort(2) & 0xffff;
        int rcode = flags & 0xf;
        if ((flags & 0x0200) != 0) {
            throw new IOException("the DNS answer from " + server + " was truncated (TCP is not supported)");
        }
        if (rcode == 3) {
            return new Answer(List.of(), false);
        }
        if (rcode != 0) {
            throw new IOException("the DNS server " + server + " answered with error code " + rcode);
        }
        int questions = in.getShort(4) & 0xffff;
        int answers = in.getShort(6) & 0xffff;
        in.position(12);
        for (int i = 0; i < questions; i++) {
            readName(in);
            in.position(in.position() + 4);
        }
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            String name = readName(in);
            int type = in.getShort() & 0xffff;
            in.getShort(); // class
            long ttl = in.getInt() & 0xffffffffL;
            int length = in.getShort() & 0xffff;
            int end = in.position() + length;
            switch (type) {
                case A, AAAA -> {
                    byte[] addr = new byte[length];
                    in.get(addr);
                    records.add(new Record(type, name, ttl, InetAddress.getByAddress(addr).getHostAddress(), 0, 0, 0,
                            null));
                }
                case SRV -> {
                    int priority = in.getShort() & 0xffff;
                    int weight = in.getShort() & 0xffff;
                    int port = in.getShort() & 0xffff;
                    records.add(new Record(type, name, ttl, null, priority, weight, port, readName(in)));
                }
                default -> {
                    // CNAME and others: the server resolved them for us; their targets follow as A records
                }
            }
            if (end > in.limit()) {
                throw new IOException("a DNS record runs past the end of the answer");
            }
            in.position(end);
        }
        return new Answer(records, true);
    }

    /** A name, following compression pointers. */
    private static String readName(ByteBuffer in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int position = -1;
        int jumps = 0;
        while (true) {
            int len = in.get() & 0xff;
            if (len == 0) {
                break;
            }
            if ((len & 0xc0) == 0xc0) {
                int pointer = ((len & 0x3f) << 8) | (in.get() & 0xff);
                if (position < 0) {
                    position = in.position();
                }
                if (++jumps > 32) {
                    throw new IOException("a DNS name with a pointer loop");
                }
                in.position(pointer);
                continue;
            }
            byte[] label = new byte[len];
            in.get(label);
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(new String(label, StandardCharsets.US_ASCII));
        }
        if (position >= 0) {
            in.position(position);
        }
        return sb.toString();
    }
}
