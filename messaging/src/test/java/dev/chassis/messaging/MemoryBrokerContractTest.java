package dev.chassis.messaging;

import java.util.Map;

/** The broker contract over the in-memory broker (the default binding). */
class MemoryBrokerContractTest extends BrokerContract {
    @Override
    protected Map<String, String> brokerProperties() {
        return Map.of("messaging.broker", "memory");
    }
}
