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

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

import dev.chassis.core.internal.shared.Backoff;
import dev.chassis.messaging.spi.Delivered;
import dev.chassis.messaging.spi.PartitionHandler;
import dev.chassis.messaging.spi.Subscription;

/**
 * One consumer group member. A platform thread owns the {@link KafkaConsumer} (it is not thread-safe): it
 * polls, hands each partition's records to that partition's worker (a virtual thread, records in order),
 * pauses partitions whose worker is behind, and commits the offsets the workers have finished. A record's
 * offset is committed only after its handler returned. On a rebalance the revoked partitions' workers finish
 * their record and their offsets are committed before the partitions go; on stop, the same for all. Not API.
 */
final class KafkaSubscription implements Subscription, ConsumerRebalanceListener {
    private static final System.Logger LOG = System.getLogger(KafkaSubscription.class.getName());
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
    /** After a failed poll: 1 s, then doubling up to 10 s while polls keep failing, with some jitter. */
    private static final Backoff POLL_FAILURE = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10))
            .withJitter(0.2);

    private final String topic;
    private final String group;
    private final PartitionHandler handler;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Semaphore slots;
    private final int pauseAt;
    private final Map<TopicPartition, Worker> workers = new HashMap<>(); // the poll thread's
    private final Thread poller;
    private volatile boolean stopping;
    private volatile Duration finishTimeout = Duration.ofSeconds(30);

    KafkaSubscription(KafkaBroker broker, String topic, String group, int concurrency, PartitionHandler handler) {
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
                    slots.acquire();
                    try {
                        if (stop) {
                            return; // taken but not handled: not done, so not committed
                        }
                        handler.handle(new Delivered(KafkaBroker.toRecord(r), r.partition(), r.offset()));
                        done = r.offset() + 1;
                    } catch (RuntimeException | Error e) {
                        LOG.log(Level.ERROR, "handling " + tp + "@" + r.offset() + " failed; it is delivered again", e);
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
                        w.queue.addAll(records.records(tp));
                    }
                }
                for (Worker w : workers.values()) {
                    if (w.failedAt >= 0 && System.nanoTime() - w.failedSince > RETRY_AFTER_FAILURE.toNanos()) {
                        w.queue.clear();
                        consumer.seek(w.tp, w.failedAt);
                        w.failedAt = -1;
                    }
                    int backlog = w.queue.size();
                    if (backlog >= pauseAt) {
                        consumer.pause(List.of(w.tp));
                    } else if (backlog < pauseAt / 2 && consumer.paused().contains(w.tp)) {
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
        commitDone(leaving); // the partitions' next owner starts after what we handled
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // no longer ours: nothing can be committed; what was handled and not committed comes again elsewhere
        finishAll(partitions.stream().map(workers::remove).filter(Objects::nonNull).toList(), Duration.ZERO);
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
