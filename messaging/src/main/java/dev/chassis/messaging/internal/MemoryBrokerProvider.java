package dev.chassis.messaging.internal;

import java.util.List;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerProvider;

/** {@code messaging.broker: memory}, the default. Not API. */
public final class MemoryBrokerProvider implements BrokerProvider {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(MessagingSettings.MEMORY_NAME, MessagingSettings.MEMORY_PARTITIONS,
                MessagingSettings.MEMORY_RETENTION);
    }

    @Override
    public Broker create(ServiceInfo service, Config config) {
        return MemoryBroker.named(config.get(MessagingSettings.MEMORY_NAME), config.get(MessagingSettings.MEMORY_PARTITIONS),
                config.get(MessagingSettings.MEMORY_RETENTION));
    }
}
