package dev.chassis.messaging.spi;

import java.util.List;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;

/**
 * Creates a broker binding for a service; found with {@link java.util.ServiceLoader} and chosen by
 * {@code messaging.broker} ({@code memory} is built in; {@code kafka} comes with chassis-messaging-kafka).
 */
public interface BrokerProvider {
    /** The value of {@code messaging.broker} that selects this binding. */
    String name();

    /** The configuration keys the binding reads (declared even when another binding is selected). */
    List<Setting<?>> settings();

    Broker create(ServiceInfo service, Config config);
}
