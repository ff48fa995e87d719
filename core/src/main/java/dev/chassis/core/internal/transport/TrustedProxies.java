package dev.chassis.core.internal.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.chassis.core.config.ConfigException;

/**
 * The proxies whose {@code Forwarded} and {@code X-Forwarded-*} headers count ({@code server.trusted-proxies}):
 * addresses and CIDR blocks, IPv4 and IPv6. Immutable and thread-safe. Not API.
 */
public final class TrustedProxies {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private record Block(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            return rest == 0 || ((address[whole] ^ network[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
        }
    }

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * @param key     the setting's key, for messages
     * @param entries addresses ({@code 10.0.0.7}, {@code ::1}) and blocks ({@code 10.0.0.0/8}, {@code fd00::/8})
     * @throws ConfigException naming every entry that is neither, with what is allowed
     */
    public static TrustedProxies of(String key, List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String entry : entries) {
            Block block = block(entry.trim());
            if (block == null) {
                problems.add(key + ": '" + entry + "' is not an IP address or a CIDR block. Fix: write an address such as"
                        + " 10.0.0.7 or ::1, or a block such as 10.0.0.0/8 or fd00::/8 (no host names)");
            } else {
                blocks.add(block);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new TrustedProxies(blocks);
    }

    /** Whether no proxy is trusted. */
    public boolean none() {
        return blocks.isEmpty();
    }

    /** Whether the connection's peer is a trusted proxy. */
    public boolean trusts(SocketAddress peer) {
        return peer instanceof InetSocketAddress a && a.getAddress() != null && trusts(a.getAddress().getAddress());
    }

    /** Whether {@code address} (an IP literal, as forwarded headers carry it) is a trusted proxy. */
    boolean trusts(String address) {
        byte[] bytes = literal(address);
        return bytes != null && trusts(bytes);
    }

    private boolean trusts(byte[] address) {
        byte[] a = unmapped(address);
        return blocks.stream().anyMatch(b -> b.contains(a));
    }

    private static Block block(String entry) {
        int slash = entry.indexOf('/');
        byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
        if (address == null) {
            return null;
        }
        address = unmapped(address);
        int max = address.length * 8;
        int bits = max;
        if (slash >= 0) {
            String suffix = entry.substring(slash + 1);
            if (!suffix.matches("\\d{1,3}") || Integer.parseInt(suffix) > max) {
                return null;
            }
            bits = Integer.parseInt(suffix);
        }
        return new Block(address, bits);
    }

    /** The bytes of an IP literal, or null when it is not one (never a DNS lookup: host names are refused first). */
    static byte[] literal(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        // an IPv6 literal starts with a hex digit or a colon: ".:1" would reach the system's resolver
        if (!(IPV4.matcher(t).matches() || IPV6.matcher(t).matches() && t.matches("[0-9a-fA-F:].*"))) {
            return null;
        }
        if (IPV4.matcher(t).matches()) {
            for (String part : t.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code ::ffff:10.0.0.1} as {@code 10.0.0.1}, so that IPv4 blocks match IPv4 peers of an IPv6 socket. */
    private static byte[] unmapped(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
            return address;
        }
        return new byte[] {address[12], address[13], address[14], address[15]};
    }
}
