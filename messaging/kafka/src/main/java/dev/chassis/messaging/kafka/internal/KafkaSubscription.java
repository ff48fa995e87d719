package dev.chassis.messaging.kafka.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.messaging.spi.Delivered;
import dev.chassis.messaging.spi.PartitionHandler;
import dev.chassis.messaging.spi.Subscription;

/**
 * One consumer group member. A platform thread owns the {@link KafkaConsumer} (it is not thread-safe): it
 * polls, hands each partition's records to that partition's worker (a virtual thread, records in order),
 * pauses partitions whose worker is behind (1000 records) and all of them while the records polled and not handled
 * hold more than {@code messaging.kafka.consumer-buffer} bytes, and commits the offsets the workers have finished. A record's
 * offset is committed only after its handler returned. On a rebalance the revoked partitions' workers finish
 * their record and their offsets are committed before the partitions go; on stop, the same for all. Not API.
 */
final class KafkaSubscription implements Subscription, ConsumerRebalanceListener {
    private static final System.Logger LOG = System.getLogger(KafkaSubscription.class.getName());
    /** A record whose handling failed is delivered again after 1 s, then doubling up to 30 s while it keeps failing. */
    private static final Backoff REDELIVERY = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30))
            .withJitter(0.2);
    /** After a failed poll: 1 s, then doubling up to 10 s while polls keep failing, with some jitter. */
    private static final Backoff POLL_FAILURE = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10))
            .withJitter(0.2);

    private final String topic;
    private final String group;
    private final PartitionHandler handler;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Semaphore slots;
    private final int pauseAt;
    /** Bytes (keys and values) of the records polled and not yet handled, over all partitions. */
    private final AtomicLong buffered = new AtomicLong();
    /** Above this many buffered bytes, every partition is paused until half of them are handled. */
    private final long maxBuffered;
    private final Map<TopicPartition, Worker> workers = new HashMap<>(); // the poll thread's
    private final Thread poller;
    private volatile boolean stopping;
    private volatile Duration finishTimeout = Duration.ofSeconds(30);

    KafkaSubscription(KafkaBroker broker, String topic, String group, int concurrency, long maxBuffered,
                      PartitionHandler handler) {
        this.maxBuffered = maxBuffered;
        this.topic = topic;
        this.group = group;
        this.handler = handler;
        this.consumer = broker.consumer(group, "consumer-" + topic);
        this.slots = new Semaphore(Math.max(1, concurrency));
        this.pauseAt = 1000;
        this.poller = Thread.ofPlatform().daemon().name("chassis-kafka-" + group + "-" + topic).start(this::run);
    }

    /** Handles one partition's records in order; says how far it got. */
    private final class Worker {
        final TopicPartition tp;
        final BlockingQueue<ConsumerRecord<String, byte[]>> queue = new LinkedBlockingQueue<>();
        final Thread thread;
        volatile long done = -1; // the next offset to commit
        long committed = -1; // poll thread only
        volatile long failedAt = -1; // a record whose handling failed: the poll thread seeks back to it
        volatile long failedSince;
        volatile long retryAfterNanos;
        int failures; // the worker's: failures in a row of the record it is on
        volatile boolean stop;

        Worker(TopicPartition tp) {
            this.tp = tp;
            this.thread = Thread.ofVirtual().name("chassis-kafka-" + group + "-" + tp).start(this::work);
        }

        private void work() {
            try {
                while (!stop) {
                    if (failedAt >= 0) {
                        Thread.sleep(10); // waiting for the poll thread to seek back
                        continue;
                    }
                    ConsumerRecord<String, byte[]> r = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (r == null) {
                        continue;
                    }
                    buffered.addAndGet(-size(r));
                    slots.acquire();
                    try {
                        if (stop) {
                            return; // taken but not handled: not done, so not committed
                        }
                        handler.handle(new Delivered(KafkaBroker.toRecord(r), r.partition(), r.offset()));
                        done = r.offset() + 1;
                        failures = 0;
                    } catch (RuntimeException | Error e) {
                        retryAfterNanos = REDELIVERY.delayNanos(Math.min(++failures, 64));
                        LOG.log(Level.ERROR, "handling " + tp + "@" + r.offset() + " failed; it is delivered again in "
                                + retryAfterNanos / 1_000_000 + " ms", e);
                        failedSince = System.nanoTime();
                        failedAt = r.offset();
                    } finally {
                        slots.release();
                    }
                }
            } catch (InterruptedException e) {
                // stopped while handling: that record is not done, so not committed
            }
        }

    }

    /**
     * Asks all the workers to finish the record they hold, then waits for them against one deadline, and
     * interrupts those still running (their record is not committed).
     */
    private static void finishAll(Collection<Worker> ws, Duration timeout) {
        ws.forEach(w -> w.stop = true);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Worker w : ws) {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!w.thread.join(Duration.ofNanos(left))) {
                    w.thread.interrupt();
                }
            }
            for (Worker w : ws) {
                w.thread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), this);
            int failedPolls = 0;
            while (!stopping) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                    failedPolls = 0;
                } catch (WakeupException e) {
                    continue; // stop() woke us
                } catch (InterruptException e) {
                    break;
                } catch (RuntimeException e) {
                    // the client retries connections itself; anything else is logged and polled again
                    LOG.log(Level.WARNING, "polling " + topic + " in group " + group + " failed; trying again: " + e);
                    sleepQuietly(POLL_FAILURE.delay(++failedPolls));
                    continue;
                }
                for (TopicPartition tp : records.partitions()) {
                    Worker w = workers.get(tp);
                    if (w != null && w.failedAt < 0) {
                        List<ConsumerRecord<String, byte[]>> polled = records.records(tp);
                        polled.forEach(r -> buffered.addAndGet(size(r)));
                        w.queue.addAll(polled);
                    }
                }
                long bytes = buffered.get();
                for (Worker w : workers.values()) {
                    if (w.failedAt >= 0 && System.nanoTime() - w.failedSince > w.retryAfterNanos) {
                        drop(w);
                        consumer.seek(w.tp, w.failedAt);
                        w.failedAt = -1;
                    }
                    int backlog = w.queue.size();
                    if (backlog >= pauseAt || bytes >= maxBuffered) {
                        consumer.pause(List.of(w.tp));
                    } else if (backlog < pauseAt / 2 && bytes < maxBuffered / 2 && consumer.paused().contains(w.tp)) {
                        consumer.resume(List.of(w.tp));
                    }
                }
                commitDone(workers.values());
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "the consumer of " + topic + " in group " + group + " stopped", e);
        } finally {
            finishAll(workers.values(), finishTimeout);
            try {
                commitDone(workers.values());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "the last commit of " + topic + " failed; those records come again: " + e);
            }
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the consumer of " + topic + " failed", e);
            }
        }
    }

    /**
     * What a record holds in memory, as counted against the buffer: its key, value and headers (a producer may put a
     * megabyte in a header as well as in the value).
     */
    static long size(ConsumerRecord<String, byte[]> r) {
        long size = Math.max(0, r.serializedKeySize()) + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    /** Empties a worker's queue, no longer counting what it held. */
    private void drop(Worker w) {
        for (ConsumerRecord<String, byte[]> r; (r = w.queue.poll()) != null; ) {
            buffered.addAndGet(-size(r));
        }
    }

    /** Bytes polled and not yet handled (for tests). */
    long bufferedBytes() {
        return buffered.get();
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Commits what the workers have finished and is not yet committed. Poll thread only. */
    private void commitDone(Collection<Worker> ws) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Worker w : ws) {
            long done = w.done;
            if (done > w.committed) {
                offsets.put(w.tp, new OffsetAndMetadata(done));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
            for (Worker w : ws) {
                OffsetAndMetadata o = offsets.get(w.tp);
                if (o != null) {
                    w.committed = o.offset();
                }
            }
        } catch (RuntimeException e) {
            // not committed: those records come again (to us or to the partition's next owner)
            LOG.log(Level.WARNING, "committing offsets of " + topic + " failed; they will be delivered again: " + e);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            workers.computeIfAbsent(tp, Worker::new);
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<Worker> leaving = partitions.stream().map(workers::remove).filter(Objects::nonNull).toList();
        finishAll(leaving, finishTimeout);
        leaving.forEach(this::drop);
        commitDone(leaving); // the partitions' next owner starts after what we handled
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // no longer ours: nothing can be committed; what was handled and not committed comes again elsewhere
        List<Worker> lost = partitions.stream().map(workers::remove).filter(Objects::nonNull).toList();
        finishAll(lost, Duration.ZERO);
        lost.forEach(this::drop);
    }

    @Override
    public void stop(Duration timeout) {
        finishTimeout = timeout;
        stopping = true; // the poll loop sees it within its 100 ms poll
        try {
            if (!poller.join(timeout.plusSeconds(15))) {
                LOG.log(Level.WARNING, "the consumer of " + topic + " in group " + group + " did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
