package dev.chassis.security.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Where keys, discovery documents and tokens may be fetched from: {@code https}, or {@code http} to this machine
 * only (a provider in a test or on a developer's laptop). Keys fetched in clear text from elsewhere would let anyone
 * on the path sign their own tokens; a client secret sent so would be anyone's. Not API.
 */
public final class SecureUrls {
    private SecureUrls() {
    }

    /**
     * Whether {@code uri} is https, or http to a loopback address or {@code localhost} — or to any host when
     * {@code insecureHttp} ({@code security.allow-insecure-http}) says so.
     */
    public static boolean allowed(URI uri, boolean insecureHttp) {
        if (uri.getHost() == null) {
            return false;
        }
        if ("https".equals(uri.getScheme())) {
            return true;
        }
        if (!"http".equals(uri.getScheme())) {
            return false;
        }
        if (insecureHttp) {
            return true;
        }
        String host = uri.getHost();
        if (host.equals("localhost")) {
            return true;
        }
        try {
            boolean literal = host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '['
                    || c == ']');
            return literal && InetAddress.getByName(host).isLoopbackAddress(); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** What to say when a URL is refused. */
    public static String why(String what, URI uri) {
        return what + " " + uri + " is not https: keys, discovery and tokens are fetched over https (plain http only"
                + " to this machine, for tests and development, unless security.allow-insecure-http is true)";
    }
}
