package dev.chassis.messaging.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import dev.chassis.messaging.spi.Acknowledged;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerRecord;
import dev.chassis.messaging.spi.Delivered;
import dev.chassis.messaging.spi.PartitionHandler;
import dev.chassis.messaging.spi.Subscription;

/**
 * The embedded broker: topics of a fixed number of partitions (records go to the partition of their key's
 * hash), consumer groups with committed offsets, partitions shared out among a group's members and handed
 * over when one leaves, a bounded retention per partition. One per name per JVM, so that services started in
 * one JVM (tests, demos) talk to each other. Nothing survives the JVM: it is for development and tests; Kafka
 * is the binding for anything else. Not API.
 */
final class MemoryBroker implements Broker {
    private static final System.Logger LOG = System.getLogger(MemoryBroker.class.getName());
    private static final Map<String, MemoryBroker> NAMED = new ConcurrentHashMap<>();

    private final int partitions;
    private final int retention;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    /** group → topic → its members and committed offsets; guarded by this. */
    private final Map<String, Group> groups = new HashMap<>();

    private MemoryBroker(int partitions, int retention) {
        this.partitions = partitions;
        this.retention = retention;
    }

    /** The JVM's broker of that name, created with these sizes by its first user. */
    static MemoryBroker named(String name, int partitions, int retention) {
        return NAMED.computeIfAbsent(name, n -> new MemoryBroker(partitions, retention));
    }

    /**
     * What the JVM's broker of that name holds for a topic, partition by partition in offset order (records past
     * the retention are gone); null when no broker of that name exists.
     */
    static List<Delivered> retained(String name, String topic) {
        MemoryBroker b = NAMED.get(name);
        if (b == null) {
            return null;
        }
        Topic t = b.topics.get(topic);
        List<Delivered> out = new ArrayList<>();
        if (t != null) {
            for (Partition p : t.parts) {
                synchronized (p) {
                    out.addAll(p.records);
                }
            }
        }
        return out;
    }

    @Override
    public String system() {
        return "chassis-memory";
    }

    /** One partition: an append-only log with a base offset (older records fall off past the retention). */
    private static final class Partition {
        private final List<Delivered> records = new ArrayList<>();
        private long base;

        synchronized long end() {
            return base + records.size();
        }

        synchronized Delivered at(long offset) {
            long i = offset - base;
            return i >= 0 && i < records.size() ? records.get((int) i) : null;
        }

        synchronized long firstOffset() {
            return base;
        }
    }

    private final class Topic {
        final Partition[] parts = new Partition[partitions];

        Topic() {
            for (int i = 0; i < parts.length; i++) {
                parts[i] = new Partition();
            }
        }
    }

    /** A group's view of one topic: committed offsets and the members the partitions are shared among. */
    private static final class Group {
        final Map<String, long[]> committed = new HashMap<>();
        /** Partitions a member is handling a record of: no other member takes them until it is done. */
        final Map<String, boolean[]> busy = new HashMap<>();
        final Map<String, List<Member>> members = new HashMap<>();
    }

    private Topic topic(String name) {
        return topics.computeIfAbsent(name, n -> new Topic());
    }

    @Override
    public CompletableFuture<Acknowledged> send(BrokerRecord record) {
        Topic t = topic(record.topic());
        int p = Math.floorMod(record.key() == null ? 0 : record.key().hashCode(), partitions);
        Partition part = t.parts[p];
        long offset;
        synchronized (part) {
            offset = part.base + part.records.size();
            part.records.add(new Delivered(record, p, offset));
            if (part.records.size() > retention) {
                part.records.removeFirst();
                part.base++;
            }
        }
        synchronized (this) {
            notifyAll(); // wake the members waiting for records
        }
        return CompletableFuture.completedFuture(new Acknowledged(p, offset));
    }

    @Override
    public Subscription subscribe(String topic, String group, int concurrency, PartitionHandler handler) {
        Member m = new Member(topic, group, concurrency, handler);
        synchronized (this) {
            Group g = groups.computeIfAbsent(group, k -> new Group());
            g.committed.computeIfAbsent(topic, k -> new long[partitions]);
            g.busy.computeIfAbsent(topic, k -> new boolean[partitions]);
            g.members.computeIfAbsent(topic, k -> new ArrayList<>()).add(m);
            notifyAll(); // the other members give up the partitions that are now m's
        }
        m.start();
        return m;
    }

    /** Whether partition {@code p} of the topic is this member's now: partitions are dealt out in join order. */
    private synchronized boolean owns(Member m, int p) {
        List<Member> ms = groups.get(m.group).members.get(m.topic);
        int i = ms.indexOf(m);
        return i >= 0 && p % ms.size() == i;
    }

    private synchronized long committed(String group, String topic, int p) {
        return groups.get(group).committed.get(topic)[p];
    }

    private synchronized void commit(String group, String topic, int p, long next) {
        long[] c = groups.get(group).committed.get(topic);
        c[p] = Math.max(c[p], next);
    }

    private synchronized void release(String group, String topic, int p) {
        groups.get(group).busy.get(topic)[p] = false;
        notifyAll();
    }

    private synchronized void leave(Member m) {
        groups.get(m.group).members.get(m.topic).remove(m);
        notifyAll();
    }

    /** A group member: one virtual thread per partition, each handling its partition's records in order. */
    private final class Member implements Subscription {
        final String topic;
        final String group;
        final PartitionHandler handler;
        final Semaphore slots;
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stopping;

        Member(String topic, String group, int concurrency, PartitionHandler handler) {
            this.topic = topic;
            this.group = group;
            this.handler = handler;
            this.slots = new Semaphore(Math.max(1, concurrency));
        }

        void start() {
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                threads.add(Thread.ofVirtual().name("chassis-memory-" + group + "-" + topic + "-" + p)
                        .start(() -> loop(partition)));
            }
        }

        private void loop(int p) {
            Partition part = topic(topic).parts[p];
            try {
                while (!stopping) {
                    Delivered next = null;
                    synchronized (MemoryBroker.this) {
                        boolean[] busy = groups.get(group).busy.get(topic);
                        if (owns(this, p) && !busy[p]) {
                            long offset = Math.max(committed(group, topic, p), part.firstOffset());
                            next = part.at(offset);
                        }
                        if (next == null) {
                            MemoryBroker.this.wait(200); // new records and membership changes notify
                            continue;
                        }
                        busy[p] = true;
                    }
                    try {
                        slots.acquire();
                        try {
                            if (stopping) {
                                return; // not handled: not committed, another member or a later start gets it again
                            }
                            handler.handle(next);
                            commit(group, topic, p, next.offset() + 1);
                        } catch (RuntimeException | Error e) {
                            LOG.log(Level.ERROR, "a partition handler failed; the record is delivered again", e);
                            Thread.sleep(1000); // not in a tight loop
                        } finally {
                            slots.release();
                        }
                    } finally {
                        release(group, topic, p);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopped: what was being handled is not committed
            }
        }

        @Override
        public void stop(Duration timeout) {
            stopping = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Thread t : threads) {
                try {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                        t.interrupt();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            leave(this);
        }
    }

    @Override
    public int drain(String topic, String group, Consumer<Delivered> action) {
        Topic t = topic(topic);
        long[] ends = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            ends[p] = t.parts[p].end();
        }
        synchronized (this) {
            Group g = groups.computeIfAbsent(group, k -> new Group());
            g.committed.computeIfAbsent(topic, k -> new long[partitions]);
        }
        int count = 0;
        for (int p = 0; p < partitions; p++) {
            for (long o = Math.max(committed(group, topic, p), t.parts[p].firstOffset()); o < ends[p]; o++) {
                Delivered d = t.parts[p].at(o);
                if (d != null) {
                    action.accept(d);
                    count++;
                }
                commit(group, topic, p, o + 1);
            }
        }
        return count;
    }

    @Override
    public Map<Integer, Long> lag(String topic, String group) {
        Map<Integer, Long> lag = new LinkedHashMap<>();
        Topic t = topic(topic);
        synchronized (this) {
            Group g = groups.get(group);
            long[] c = g == null ? null : g.committed.get(topic);
            for (int p = 0; p < partitions; p++) {
                long from = Math.max(c == null ? 0 : c[p], t.parts[p].firstOffset());
                lag.put(p, Math.max(0, t.parts[p].end() - from));
            }
        }
        return lag;
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public void close() {
        // shared by the JVM's services: it lives as long as the JVM (subscriptions were stopped by their owners)
    }
}
