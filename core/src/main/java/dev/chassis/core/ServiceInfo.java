package dev.chassis.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Who a running service is, as {@code GET /info} shows it.
 *
 * @param name       the service name, a DNS label
 * @param version    the service version ({@code service.version})
 * @param instanceId unique per process ({@code service.instance-id}, default name plus random suffix)
 * @param startTime  when start-up began
 * @param protocols  what the port serves ({@code http/1.1}, {@code h2c}, ...)
 */
public record ServiceInfo(String name, String version, String instanceId, Instant startTime, List<String> protocols) {
    public ServiceInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(startTime, "startTime");
        protocols = List.copyOf(protocols);
    }
}
