package dev.chassis.messaging.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.chassis.core.Json;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;
import dev.chassis.core.health.Health;
import dev.chassis.core.health.HealthCheck;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.Constraints;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.core.internal.shared.MessageTracing;
import dev.chassis.core.spi.MessageHandlers;
import dev.chassis.messaging.DeadLetters;
import dev.chassis.messaging.Publisher;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerProvider;
import dev.chassis.messaging.spi.EventSender;
import dev.chassis.messaging.spi.Subscription;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;

/**
 * {@code chassis-messaging}: binds the service's {@code @Consume} handlers, provides its {@link Publisher} and
 * {@link DeadLetters}, and runs them over the broker {@code messaging.broker} names. Consumers start once the
 * service serves, and stop first on shutdown (they finish the messages they hold and commit). Not API.
 */
public final class MessagingExtension implements ChassisExtension {
    private static final List<Double> BUCKETS = List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            10.0);

    @Override
    public String name() {
        return "messaging";
    }

    private static List<BrokerProvider> providers() {
        List<BrokerProvider> list = new ArrayList<>();
        ServiceLoader.load(BrokerProvider.class, MessagingExtension.class.getClassLoader()).forEach(list::add);
        return list;
    }

    @Override
    public List<Setting<?>> settings() {
        List<Setting<?>> all = new ArrayList<>(MessagingSettings.all());
        for (BrokerProvider p : providers()) {
            for (Setting<?> s : p.settings()) {
                if (!all.contains(s)) {
                    all.add(s);
                }
            }
        }
        return all;
    }

    /** {@code consumers.<handler>.<method>.*} must name a bound handler: a typo must not go unnoticed. */
    private static void checkConsumerKeys(Config config, List<ConsumerBinding> bindings) {
        Set<String> keys = bindings.stream().map(ConsumerBinding::key).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        for (String handler : config.names("consumers")) {
            for (String method : config.names("consumers." + handler)) {
                if (!keys.contains(handler + "." + method)) {
                    problems.add("consumers." + handler + "." + method + " names no @Consume handler of this service."
                            + ConfigException.closest(handler + "." + method, keys)
                                    .map(k -> " Did you mean consumers." + k + "?").orElse("")
                            + " Handlers: " + (keys.isEmpty() ? "none" : String.join(", ", new TreeSet<>(keys))));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** {@code messaging.replay.key}, checked: a short key would make forging replay markers feasible. */
    private static String replayKey(Config config) {
        String key = config.find(MessagingSettings.REPLAY_KEY).orElse(null);
        if (key != null && key.length() < ReplayMarker.MIN_KEY) {
            throw new ConfigException(List.of("messaging.replay.key has " + key.length() + " characters; at least "
                    + ReplayMarker.MIN_KEY + " are needed. Fix: use a random key, e.g. openssl rand -base64 32"));
        }
        return key;
    }

    @Override
    public void register(ExtensionContext context) {
        Config config = context.config();
        String name = config.get(MessagingSettings.BROKER);
        List<BrokerProvider> providers = providers();
        BrokerProvider provider = providers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new ConfigException(List.of("messaging.broker is '" + name + "', but no such broker"
                        + " binding is on the class path; available: " + String.join(", ",
                        providers.stream().map(BrokerProvider::name).toList())
                        + (name.equals("kafka") ? " (add dev.chassis:chassis-messaging-kafka)" : ""))));
        List<ConsumerBinding> bindings = ConsumerBinding.bind(context.components().take(MessageHandlers.class)
                .map(MessageHandlers::handlers).orElse(List.of()), config, Json.mapper());
        if (provider instanceof MemoryBrokerProvider) {
            context.production().refuseUnless(MessagingSettings.ALLOW_MEMORY, "the in-memory broker", "set"
                    + " messaging.broker: kafka and messaging.kafka.bootstrap-servers (chassis-messaging-kafka)");
        }
        Broker broker = provider.create(context);
        context.lifecycle().onStopped(broker::close);

        Envelope envelope = new Envelope(Json.mapper(), context.service().name());
        MessageTracing tracing = MessageTracing.of(context.openTelemetry(), broker.system());
        Meter meter = context.openTelemetry().getMeter("dev.chassis.messaging");
        DoubleHistogram process = meter.histogramBuilder("messaging.process.duration").setUnit("s")
                .setDescription("Duration of message handling, per attempt.").setExplicitBucketBoundariesAdvice(BUCKETS)
                .build();
        DoubleHistogram send = meter.histogramBuilder("messaging.client.operation.duration").setUnit("s")
                .setDescription("Duration of publishing, until the broker's acknowledgement.")
                .setExplicitBucketBoundariesAdvice(BUCKETS).build();
        LongCounter deadLetters = meter.counterBuilder("messaging.dead_letters").setUnit("{message}")
                .setDescription("Messages sent to the dead letters.").build();
        LongCounter dlqFailures = meter.counterBuilder("messaging.dead_letters.publish_failures").setUnit("{attempt}")
                .setDescription("Attempts to publish a dead letter that failed (each is tried again with back-off).").build();
        meter.gaugeBuilder("messaging.consumer.lag").ofLongs().setUnit("{message}")
                .setDescription("Messages of a topic partition not yet consumed by the group.")
                .buildWithCallback(m -> {
                    for (ConsumerBinding b : bindings) {
                        broker.lag(b.topic(), b.group()).forEach((partition, lag) -> m.record(lag, Attributes.of(
                                AttributeKey.stringKey("messaging.system"), broker.system(),
                                AttributeKey.stringKey("messaging.destination.name"), b.topic(),
                                AttributeKey.stringKey("messaging.consumer.group.name"), b.group(),
                                AttributeKey.stringKey("messaging.destination.partition.id"), partition.toString())));
                    }
                });

        Duration publishTimeout = config.get(MessagingSettings.PUBLISH_TIMEOUT);
        MessagingPublisher publisher = new MessagingPublisher(broker, envelope, tracing, send, publishTimeout,
                config.get(MessagingSettings.RECORD_SUBJECT));
        ReplayMarker replays = ReplayMarker.of(replayKey(config));
        context.components().provide(Publisher.class, publisher);
        context.components().provide(EventSender.class, publisher);
        context.components().provide(DeadLetters.class, new MessagingDeadLetters(broker, context.service().name(), publishTimeout,
                bindings.stream().map(ConsumerBinding::group).collect(Collectors.toSet()), replays));
        checkConsumerKeys(config, bindings);
        // reported only by default: every replica shares the broker, so taking them out of rotation when it is down
        // turns a degraded service (publish fails, consumers lag) into no service (docs/standard.md)
        context.health().add(HealthCheck.dependency("messaging", false, () -> broker.healthy() ? Health.up()
                : Health.down(broker.unhealthyReason() != null ? broker.unhealthyReason()
                : "the " + broker.system() + " broker cannot be reached")));

        Constraints constraints = context.components().require(Constraints.class,
                "core provides it; a validator on the class path makes it check @Consume events");
        List<Subscription> subscriptions = new ArrayList<>();
        context.lifecycle().onStarted(running -> {
            for (ConsumerBinding b : bindings) {
                subscriptions.add(broker.subscribe(b.topic(), b.group(), b.concurrency(),
                        new Dispatcher(b, broker, envelope, Json.mapper(), tracing, process, deadLetters, dlqFailures, publishTimeout,
                                constraints, replays)));
            }
        });
        Duration shutdown = config.get(MessagingSettings.SHUTDOWN_TIMEOUT);
        if (!bindings.isEmpty()) {
            context.lifecycle().shutdownTakes(MessagingSettings.SHUTDOWN_TIMEOUT.key(), shutdown);
        }
        context.lifecycle().onStopping(() -> {
            // all at once: shutdown takes as long as the slowest handler, not the sum of them
            List<Thread> stopping = subscriptions.stream()
                    .map(s -> Thread.ofVirtual().name("chassis-messaging-stop").start(() -> s.stop(shutdown))).toList();
            for (Thread t : stopping) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }
}
