package dev.chassis.core.internal.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads the headers a proxy adds: {@code Forwarded} (RFC 7239) or {@code X-Forwarded-For}, {@code -Proto} and
 * {@code -Host}, whichever set {@code server.trusted-proxy-headers} names; and {@code X-Forwarded-Prefix}. Only ever
 * asked for a request whose peer is a trusted proxy. The client is found walking the hops from the nearest: the
 * first that is not a trusted proxy (or the farthest, when all are); with {@code Forwarded}, its scheme and host are
 * those of that hop's element. A malformed {@code Forwarded} element, like a malformed {@code X-Forwarded-For}
 * entry, ends the walk: it and what precedes it are not believed (when it is the nearest, the peer stays the client).
 * A proto other than http/https, a host or a prefix with characters they cannot hold is ignored. Not API.
 */
final class Forwarded {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern NODE = Pattern.compile(
            "(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-fA-F:.]+])(:(\\d{1,5}|_[A-Za-z0-9._-]+))?|unknown|_[A-Za-z0-9._-]+");
    private static final Pattern OBFUSCATED = Pattern.compile("_[A-Za-z0-9._-]+");
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
     * From {@code Forwarded} (RFC 7239) and {@code X-Forwarded-Prefix}.
     *
     * @param forwarded the {@code Forwarded} header values, in order (empty for none)
     * @param prefix    the {@code X-Forwarded-Prefix} values joined with commas (empty for none)
     */
    static Said readForwarded(TrustedProxies trusted, List<String> forwarded, String prefix) {
        if (forwarded.isEmpty()) {
            return new Said(null, null, null, prefix(prefix));
        }
        List<Hop> hops = elements(forwarded);
        if (hops.isEmpty()) {
            return new Said(null, null, null, prefix(prefix));
        }
        Said said = walk(trusted, hops);
        return new Said(said.client(), said.proto(), said.host(), prefix(prefix));
    }

    /**
     * From {@code X-Forwarded-For}, {@code -Proto}, {@code -Host} and {@code -Prefix}. Of a list, the last value counts
     * for proto, host and prefix (the nearest proxy's: the values before it may be the client's own); in
     * {@code X-Forwarded-For} a malformed entry ends the walk, and what is left of it (which the client could write) is
     * not believed.
     *
     * @param forwardedFor the {@code X-Forwarded-For} values, in order
     * @param proto        the {@code X-Forwarded-Proto} values joined with commas (empty for none); likewise host and
     *                     prefix
     */
    static Said readXForwarded(TrustedProxies trusted, List<String> forwardedFor, String proto, String host,
                               String prefix) {
        List<Hop> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            for (String part : value.split(",")) {
                String node = part.trim();
                if (address(node) == null && !node.equals("unknown") && !OBFUSCATED.matcher(node).matches()) {
                    hops.clear(); // malformed: only the hops the proxies added after it are believed
                    continue;
                }
                hops.add(new Hop(node, null, null));
            }
        }
        // X-Forwarded-Proto and -Host describe the client's request, whichever hop the client is
        return new Said(hops.isEmpty() ? null : walk(trusted, hops).client(), proto(last(proto)), host(last(host)),
                prefix(prefix));
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

    /**
     * The elements of the {@code Forwarded} values, nearest last, read from the nearest backwards: a malformed element
     * ends the reading, and it and what precedes it (which the client could write) are not believed — as in
     * {@code X-Forwarded-For}. Reading backwards, an unbalanced quote the client wrote cannot swallow the element a
     * proxy appended after it.
     */
    private static List<Hop> elements(List<String> values) {
        List<Hop> hops = new ArrayList<>();
        for (int v = values.size() - 1; v >= 0; v--) {
            for (String element : splitFromTheEnd(values.get(v))) {
                Hop hop = element(element);
                if (hop == null) {
                    return hops.reversed();
                }
                hops.add(hop);
            }
        }
        return hops.reversed();
    }

    /** One element ({@code for=...;proto=...;host=...}), or null when it is malformed. */
    private static Hop element(String element) {
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
        return new Hop(forHost, proto, host);
    }

    /**
     * The comma-separated elements of one header value, last first: split at commas outside quoted strings, reading
     * from the end (a quote preceded by an odd number of backslashes is escaped).
     */
    private static List<String> splitFromTheEnd(String value) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int end = value.length();
        for (int i = value.length() - 1; i >= 0; i--) {
            char c = value.charAt(i);
            if (c == '"') {
                int backslashes = 0;
                while (i - backslashes - 1 >= 0 && value.charAt(i - backslashes - 1) == '\\') {
                    backslashes++;
                }
                if (backslashes % 2 == 0) {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                parts.add(value.substring(i + 1, end).trim());
                end = i;
            }
        }
        parts.add(value.substring(0, end).trim());
        return parts;
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

    /** The last comma-separated value, or null for none. */
    private static String last(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        int comma = value.lastIndexOf(',');
        return (comma < 0 ? value : value.substring(comma + 1)).trim();
    }

    private static String proto(String p) {
        return p != null && (p.equalsIgnoreCase("http") || p.equalsIgnoreCase("https")) ? p.toLowerCase(Locale.ROOT) : null;
    }

    private static String host(String h) {
        return h != null && HOST.matcher(h).matches() ? h : null;
    }

    private static String prefix(String p) {
        String nearest = last(p);
        if (nearest == null || nearest.equals("/") || nearest.isEmpty()) {
            return null;
        }
        String trimmed = nearest.endsWith("/") ? nearest.substring(0, nearest.length() - 1) : nearest;
        return PREFIX.matcher(trimmed).matches() ? trimmed : null;
    }
}
