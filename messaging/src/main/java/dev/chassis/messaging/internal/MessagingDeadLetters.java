package dev.chassis.messaging.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import dev.chassis.messaging.DeadLetters;
import dev.chassis.messaging.PublishException;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerRecord;

/**
 * Replays {@code <topic>.dlq} into {@code <topic>}: reads the letters the service's replay group has not read,
 * and publishes back those that one of this service's groups dead-lettered, without the dead-letter headers
 * and with {@code chassis-replay-group} naming that group, so that only that group handles it again (the
 * others skip it). Commits as it goes. Not API.
 */
final class MessagingDeadLetters implements DeadLetters {
    private static final System.Logger LOG = System.getLogger(MessagingDeadLetters.class.getName());
    private final Broker broker;
    private final String replayGroup;
    private final ReplayMarker marker;
    private final Duration timeout;

    private final Set<String> groups;
    private final ReentrantLock lock = new ReentrantLock();

    MessagingDeadLetters(Broker broker, String service, Duration timeout, Set<String> groups, ReplayMarker marker) {
        this.marker = marker;
        this.groups = groups;
        this.broker = broker;
        this.replayGroup = service + ".dlq-replay";
        this.timeout = timeout;
    }

    @Override
    public int replay(String topic) {
        // one replay at a time; a lock, not synchronized: it waits on the broker (a monitor pins a virtual thread)
        lock.lock();
        try {
            return replayLocked(topic);
        } finally {
            lock.unlock();
        }
    }

    private int replayLocked(String topic) {
        if (topic == null || !ConsumerBinding.NAME.matcher(topic).matches() || topic.endsWith(".dlq")) {
            throw new IllegalArgumentException("'" + topic + "' is not a topic whose dead letters can be replayed:"
                    + " name the original topic (orders.placed, not orders.placed.dlq)");
        }
        int[] replayed = {0};
        broker.drain(topic + ".dlq", replayGroup, d -> {
            String group = d.record().header(Dispatcher.DLQ_GROUP);
            if (group == null || !groups.contains(group)) {
                return; // another service's (or another group's) letter: theirs to replay
            }
            if (marker.signsLetters() && !marker.letterVerifies(d.record())) {
                // anyone who consumes the topic may write its .dlq: a letter this service did not write is not
                // published, signed by this service, into a topic the writer may not write
                LOG.log(Level.WARNING, "a dead letter of {0} at {1}@{2} does not carry a valid chassis-dlq-signature"
                        + " (written by someone else, or with another messaging.replay.key): not replayed", topic,
                        d.partition(), d.offset());
                return;
            }
            if (d.record().header(Dispatcher.DLQ_VALUE_DROPPED) != null) {
                // its headers say where the record is; they are not printed (anyone may write the .dlq)
                LOG.log(Level.WARNING, "the dead letter of {0} at {0}.dlq/{1}@{2} carries no value (the broker refused"
                        + " it whole): not replayed; its chassis-dlq-partition and -offset headers say where the record"
                        + " is", topic, d.partition(), d.offset());
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>(d.record().headers());
            headers.keySet().removeIf(h -> h.startsWith("chassis-dlq-") || h.equals(ReplayMarker.GROUP)
                    || h.equals(ReplayMarker.SIGNATURE));
            headers.put(ReplayMarker.GROUP, List.of(group));
            headers.put(ReplayMarker.SIGNATURE, List.of(marker.sign(topic, group, d.record().key(), headers,
                    d.record().value())));
            try {
                broker.send(new BrokerRecord(topic, d.record().key(), headers, d.record().value()))
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishException("interrupted while replaying a dead letter of " + topic, e);
            } catch (ExecutionException | TimeoutException e) {
                // not committed: the next replay starts with this letter
                throw new PublishException("a dead letter of " + topic + " could not be published back", e);
            }
            replayed[0]++;
        });
        return replayed[0];
    }
}
