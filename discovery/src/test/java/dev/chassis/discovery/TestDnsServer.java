package dev.chassis.discovery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server for tests, over real UDP: answers A and SRV questions from a table, with the TTLs set there, NXDOMAIN
 * for names it does not know; counts the questions per name. It stands in for CoreDNS or Docker's resolver, which
 * cannot run here; the client under test speaks the real protocol to it.
 */
public final class TestDnsServer implements AutoCloseable {
    /** An A record (address) or an SRV record (port and target). */
    public record Rr(int type, long ttl, String address, int port, String target) {
        public static Rr a(String address, long ttl) {
            return new Rr(1, ttl, address, 0, null);
        }

        public static Rr srv(String target, int port, long ttl) {
            return new Rr(33, ttl, null, port, target);
        }
    }

    private final DatagramSocket socket;
    private final Map<String, List<Rr>> records = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> questions = new ConcurrentHashMap<>();
    private final Thread thread;

    public TestDnsServer() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = Thread.ofPlatform().daemon().name("test-dns").start(this::serve);
    }

    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public void set(String name, List<Rr> rrs) {
        records.put(name.toLowerCase(Locale.ROOT), List.copyOf(rrs));
    }

    public int questions(String name) {
        AtomicInteger n = questions.get(name.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                socket.receive(in);
                byte[] answer = answer(ByteBuffer.wrap(in.getData(), 0, in.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private byte[] answer(ByteBuffer q) {
        int id = q.getShort(0) & 0xffff;
        q.position(12);
        StringBuilder name = new StringBuilder();
        for (int len = q.get() & 0xff; len > 0; len = q.get() & 0xff) {
            byte[] label = new byte[len];
            q.get(label);
            name.append(name.isEmpty() ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = q.getShort() & 0xffff;
        q.getShort();
        int questionEnd = q.position();
        String key = name.toString().toLowerCase(Locale.ROOT);
        questions.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        List<Rr> all = records.get(key);
        List<Rr> matching = all == null ? List.of() : all.stream().filter(r -> r.type() == type).toList();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id >> 8);
        out.write(id);
        out.write(0x81); // response, recursion desired
        out.write(all == null ? 0x83 : 0x80); // recursion available; NXDOMAIN for unknown names
        out.writeBytes(new byte[] {0, 1, 0, (byte) matching.size(), 0, 0, 0, 0});
        out.write(q.array(), 12, questionEnd - 12);
        for (Rr r : matching) {
            out.writeBytes(new byte[] {(byte) 0xc0, 12}); // the question's name
            out.write(0);
            out.write(type);
            out.writeBytes(new byte[] {0, 1});
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) r.ttl()).array());
            byte[] data;
            if (type == 1) {
                try {
                    data = InetAddress.getByName(r.address()).getAddress();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                ByteArrayOutputStream d = new ByteArrayOutputStream();
                d.writeBytes(new byte[] {0, 10, 0, 5});
                d.write(r.port() >> 8);
                d.write(r.port());
                for (String label : r.target().split("\\.")) {
                    d.write(label.length());
                    d.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
                }
                d.write(0);
                data = d.toByteArray();
            }
            out.write(data.length >> 8);
            out.write(data.length);
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
