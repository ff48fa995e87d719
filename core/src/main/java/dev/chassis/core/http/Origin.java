package dev.chassis.core.http;

import java.net.URI;
import java.util.Objects;

/**
 * Where a request came from, as its client sent it: the client's address, and the scheme, host and path prefix it
 * addressed. Without proxies these are the connection's peer, its scheme and the {@code Host} header. Behind a proxy
 * whose address is in {@code server.trusted-proxies}, they are what its {@code Forwarded} or
 * {@code X-Forwarded-For/-Proto/-Host/-Prefix} headers say; from any other peer those headers are ignored. A handler
 * takes it as a parameter ({@code Origin origin}), like {@code Caller} and {@code Peer}. Immutable.
 *
 * @param clientAddress the client's IP address (a proxy may say {@code unknown} or an obfuscated {@code _name},
 *                      RFC 7239 §6)
 * @param scheme        {@code http} or {@code https}, as the client used
 * @param host          the host, with its port when not the scheme's default, as the client addressed it
 * @param prefix        the path prefix a proxy removed before passing the request on ({@code /api}), or empty
 * @param forwarded     whether a trusted proxy's headers set any of these
 */
public record Origin(String clientAddress, String scheme, String host, String prefix, boolean forwarded) {
    public Origin {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(prefix, "prefix");
    }

    /** The absolute URL of {@code path} (starting with {@code /}) as the client reaches it: scheme, host, prefix. */
    public URI uri(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /, but was '" + path + "'");
        }
        return URI.create(scheme + "://" + host + prefix + path);
    }
}
