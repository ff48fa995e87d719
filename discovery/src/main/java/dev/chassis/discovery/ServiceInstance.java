package dev.chassis.discovery;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One running instance of a service, as a registry knows it.
 *
 * @param id        unique per instance (the service's {@code service.instance-id})
 * @param name      the logical name clients call it by ({@code inventory})
 * @param host      the address others reach it at
 * @param port      its one port (HTTP and gRPC)
 * @param protocols what it speaks on that port ({@code http}, {@code grpc})
 * @param metadata  free-form labels ({@code version}, {@code zone}, ...)
 * @param health    whether it takes traffic now
 * @param scheme    how it is called: {@code http} (plaintext, the default when null) or {@code https} (the port serves
 *                  TLS: a service with {@code server.tls.bundle} registers itself so)
 */
public record ServiceInstance(String id, String name, String host, int port, List<String> protocols,
                              Map<String, String> metadata, Health health, String scheme) {
    /**
     * A host name or an IPv4 address: dot-separated labels of letters, digits and hyphens (no underscores: a URI with
     * one has no host, and no call could reach it).
     */
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");
    /** An IPv6 address, bracketed or not (no zone). */
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*]?");

    /** Whether an instance takes traffic. */
    public enum Health { UP, DOWN }

    /**
     * Validates and normalises the components.
     *
     * @throws IllegalArgumentException for a host that is neither a host name nor an IP address (a path, a user or a
     *                                  port in it), a port outside 1-65535 or a scheme other than http and https
     */
    public ServiceInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (!HOST.matcher(host).matches() && !IPV6.matcher(host).matches() || host.length() > 255) {
            // a registry entry or a DNS answer must not choose the path, query, user or port of the calls made to it
            throw new IllegalArgumentException("host '" + host + "' is neither a host name nor an IP address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1-65535");
        }
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        health = health == null ? Health.UP : health;
        scheme = scheme == null ? "http" : scheme;
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme '" + scheme + "' is neither http nor https");
        }
        URI uri;
        try {
            uri = uri(scheme, host, port);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getPort() != port
                || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("host '" + host + "' is neither a host name nor an IP address");
        }
    }

    /** A plaintext ({@code http}) instance. */
    public ServiceInstance(String id, String name, String host, int port, List<String> protocols,
                           Map<String, String> metadata, Health health) {
        this(id, name, host, port, protocols, metadata, health, "http");
    }

    /** Whether the instance serves TLS ({@code https}). */
    public boolean secure() {
        return scheme.equals("https");
    }

    /** The base URI clients call: {@code http://host:port} or {@code https://host:port} (IPv6 hosts in brackets). */
    public URI uri() {
        return uri(scheme, host, port);
    }

    private static URI uri(String scheme, String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + h + ":" + port);
    }
}
