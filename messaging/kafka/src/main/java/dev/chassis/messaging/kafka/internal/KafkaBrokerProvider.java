package dev.chassis.messaging.kafka.internal;

import java.util.List;

import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ExtensionContext;
import dev.chassis.messaging.spi.Broker;
import dev.chassis.messaging.spi.BrokerProvider;

/** {@code messaging.broker: kafka}. Not API. */
public final class KafkaBrokerProvider implements BrokerProvider {
    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public List<Setting<?>> settings() {
        return KafkaSettings.all();
    }

    @Override
    public Broker create(ServiceInfo service, Config config) {
        return new KafkaBroker(service, config, null);
    }

    @Override
    public Broker create(ExtensionContext context) {
        return new KafkaBroker(context.service(), context.config(),
                context.tls(KafkaSettings.TLS_BUNDLE).orElse(null));
    }
}
