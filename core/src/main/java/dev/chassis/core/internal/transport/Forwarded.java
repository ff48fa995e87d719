package dev.chassis.core.internal.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads the headers a proxy adds: {@code Forwarded} (RFC 7239) or, when there is none, {@code X-Forwarded-For},
 * {@code -Proto} and {@code -Host}; and {@code X-Forwarded-Prefix}. Only ever asked for a request whose peer is a
 * trusted proxy. The client is found walking the hops from the nearest: the first that is not a trusted proxy (or the
 * farthest, when all are); its scheme and host are those of that hop's element. A malformed {@code Forwarded} header
 * is ignored whole (the peer stays the client), and so is a proto other than http/https, a host or a prefix with
 * characters they cannot hold. Not API.
 */
final class Forwarded {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern NODE = Pattern.compile(
            "(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-fA-F:.]+])(:(\\d{1,5}|_[A-Za-z0-9._-]+))?|unknown|_[A-Za-z0-9._-]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9a-fA-F:.]+](:\\d{1,5})?");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9\\-._~%!$&'()*+,;=:@]+)+");

    /** One hop: who connected, and the scheme and host it used (each null when not said). */
    record Hop(String forHost, String proto, String host) {
    }

    /** What the trusted headers say; null fields for what they do not. */
    record Said(String client, String proto, String host, String prefix) {
    }

    private Forwarded() {
    }

    /**
     * @param forwarded      the {@code Forwarded} header values, in order (empty for none)
     * @param forwardedFor   the {@code X-Forwarded-For} values
     * @param forwardedProto the first {@code X-Forwarded-Proto} value, or null
     * @param forwardedHost  the first {@code X-Forwarded-Host} value, or null
     * @param prefix         the first {@code X-Forwarded-Prefix} value, or null
     */
    static Said read(TrustedProxies trusted, List<String> forwarded, List<String> forwardedFor, String forwardedProto,
                     String forwardedHost, String prefix) {
        List<Hop> hops;
        if (!forwarded.isEmpty()) {
            hops = elements(String.join(",", forwarded));
            if (hops == null) {
                return new Said(null, null, null, prefix(prefix));
            }
        } else {
            hops = new ArrayList<>();
            String proto = proto(first(forwardedProto));
            String host = host(first(forwardedHost));
            for (String value : forwardedFor) {
                for (String part : value.split(",")) {
                    String node = part.trim();
                    if (!NODE.matcher(node).matches() && address(node) == null) {
                        return new Said(null, proto, host, prefix(prefix)); // malformed: the peer stays the client
                    }
                    hops.add(new Hop(node, null, null));
                }
            }
            // X-Forwarded-Proto and -Host describe the client's request, whichever hop the client is
            return new Said(hops.isEmpty() ? null : walk(trusted, hops).client(), proto, host, prefix(prefix));
        }
        Said said = walk(trusted, hops);
        return new Said(said.client(), said.proto(), said.host(), prefix(prefix));
    }

    /** From the nearest hop outwards, the first that is not a trusted proxy. */
    private static Said walk(TrustedProxies trusted, List<Hop> hops) {
        for (int i = hops.size() - 1; i >= 0; i--) {
            Hop hop = hops.get(i);
            String address = address(hop.forHost());
            if (i == 0 || address == null || !trusted.trusts(address)) {
                return new Said(address != null ? address : hop.forHost(), proto(hop.proto()), host(hop.host()), null);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** The elements of a {@code Forwarded} value, or null when it is malformed. */
    private static List<Hop> elements(String value) {
        List<Hop> hops = new ArrayList<>();
        for (String element : splitOutsideQuotes(value, ',')) {
            String forHost = null;
            String proto = null;
            String host = null;
            if (element.isBlank()) {
                return null;
            }
            for (String pair : splitOutsideQuotes(element, ';')) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    return null;
                }
                String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String v = unquote(pair.substring(eq + 1).trim());
                if (!TOKEN.matcher(name).matches() || v == null) {
                    return null;
                }
                switch (name) {
                    case "for" -> {
                        if (!NODE.matcher(v).matches()) {
                            return null;
                        }
                        forHost = v;
                    }
                    case "proto" -> proto = v;
                    case "host" -> host = v;
                    default -> { } // by=, and extensions (RFC 7239 §5.5): not needed
                }
            }
            hops.add(new Hop(forHost, proto, host));
        }
        return hops;
    }

    private static List<String> splitOutsideQuotes(String value, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.length()) {
                current.append(c);
                c = value.charAt(++i);
            } else if (c == separator && !quoted) {
                parts.add(current.toString().trim());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString().trim());
        return parts;
    }

    /** A token as is, a quoted string without its quotes and escapes; null when neither. */
    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                } else if (c == '"' || c == '\\') {
                    return null;
                }
                out.append(c);
            }
            return out.toString();
        }
        return TOKEN.matcher(v).matches() ? v : null;
    }

    /** The IP address of a node ({@code 192.0.2.1:4711}, {@code [2001:db8::1]}), or null for a name or garbage. */
    private static String address(String node) {
        if (node == null) {
            return null;
        }
        String n = node;
        if (n.startsWith("[")) {
            int end = n.indexOf(']');
            n = end < 0 ? n : n.substring(1, end);
        } else if (n.indexOf(':') == n.lastIndexOf(':') && n.indexOf(':') > 0) {
            n = n.substring(0, n.indexOf(':')); // IPv4 with a port
        }
        return TrustedProxies.literal(n) != null ? n : null;
    }

    private static String first(String value) {
        if (value == null) {
            return null;
        }
        int comma = value.indexOf(',');
        return (comma < 0 ? value : value.substring(0, comma)).trim();
    }

    private static String proto(String p) {
        return p != null && (p.equalsIgnoreCase("http") || p.equalsIgnoreCase("https")) ? p.toLowerCase(Locale.ROOT) : null;
    }

    private static String host(String h) {
        return h != null && HOST.matcher(h).matches() ? h : null;
    }

    private static String prefix(String p) {
        String first = first(p);
        if (first == null || first.equals("/") || first.isEmpty()) {
            return null;
        }
        String trimmed = first.endsWith("/") ? first.substring(0, first.length() - 1) : first;
        return PREFIX.matcher(trimmed).matches() ? trimmed : null;
    }
}
