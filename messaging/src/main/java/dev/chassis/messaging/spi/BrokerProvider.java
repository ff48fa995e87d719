package dev.chassis.messaging.spi;

import java.time.Duration;
import java.util.List;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ExtensionContext;

/**
 * Creates a broker binding for a service; found with {@link java.util.ServiceLoader} and chosen by
 * {@code messaging.broker} ({@code memory} is built in; {@code kafka} comes with chassis-messaging-kafka).
 */
public interface BrokerProvider {
    /**
     * {@code messaging.publish-timeout}: how long a publish waits for the acknowledgement, at most. Declared by
     * the messaging module; bindings read it to bound their own waits (Kafka: {@code max.block.ms},
     * {@code delivery.timeout.ms}).
     */
    Setting<Duration> PUBLISH_TIMEOUT = Setting.duration("messaging.publish-timeout",
            Duration.ofSeconds(10)).describedAs("how long publish(...) waits for the broker's acknowledgement");

    /** The value of {@code messaging.broker} that selects this binding. */
    String name();

    /** The configuration keys the binding reads (declared even when another binding is selected). */
    List<Setting<?>> settings();

    /** Creates the binding for a service from its configuration. */
    Broker create(ServiceInfo service, Config config);

    /**
     * Creates the binding for the service being assembled; what the messaging module calls. The default calls
     * {@link #create(ServiceInfo, Config)}; a binding that needs more of the context (a TLS bundle with
     * {@link ExtensionContext#tls}) overrides it.
     */
    default Broker create(ExtensionContext context) {
        return create(context.service(), context.config());
    }
}
