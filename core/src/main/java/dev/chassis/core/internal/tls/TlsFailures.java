package dev.chassis.core.internal.tls;

import java.net.SocketException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/** What a failed TLS handshake says, in words and as one of a few kinds for metrics. Not API. */
public final class TlsFailures {
    /** The kind of a handshake that took longer than {@code server.tls.handshake-timeout}. */
    public static final String TIMEOUT = "timeout";

    private TlsFailures() {
    }

    /**
     * The TLS reason of a failure: the message of the first {@link SSLException} among its causes, or of a failure
     * that says the handshake broke (a TLS 1.3 server refusing the client's certificate closes the connection while
     * the client finishes its handshake, which the client sees as a broken connection); else null.
     */
    public static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException e) {
                return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketException && writingOverTls(t)) {
                // TLS 1.3: the server verifies a client certificate after the client's handshake is done, so a refusal
                // reaches the client as a closed connection when it writes the request (the alert unread behind it)
                return t.getMessage() + ": the server closed the TLS connection before reading the request; with"
                        + " TLS 1.3 this is how it refuses this client's certificate (check that it trusts this client's"
                        + " bundle)";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("handshake")) {
                return t.getMessage() + (t.getCause() == null ? "" : " (" + t.getCause().getMessage() + ")")
                        + ": the server closed the connection during the handshake; it may have refused this client's"
                        + " certificate";
            }
        }
        return null;
    }

    /** Whether the failure happened while writing application data through the JDK's TLS socket. */
    private static boolean writingOverTls(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().startsWith("sun.security.ssl.SSLSocketImpl$AppOutputStream")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The kind of a handshake failure, from its reason: one of {@code untrusted-certificate},
     * {@code no-client-certificate}, {@code wrong-identity}, {@code certificate-refused-by-peer}, {@code not-tls},
     * {@code no-common-protocol}, {@code timeout} or {@code other} (a bounded set, for metric attributes).
     */
    public static String kind(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.equals(TIMEOUT)) {
            return TIMEOUT;
        }
        if (r.contains("not the expected")) {
            return "wrong-identity";
        }
        if (r.contains("no subject alternative") || r.contains("no name matching")) {
            return "wrong-identity";
        }
        if (r.contains("pkix") || r.contains("certification path")
                || r.contains("signature check failed")) {
            return "untrusted-certificate";
        }
        if (r.contains("empty") && r.contains("certificate") || r.contains("certificate_required")) {
            return "no-client-certificate";
        }
        if (r.contains("fatal alert") && (r.contains("certificate") || r.contains("unknown_ca"))) {
            return "certificate-refused-by-peer";
        }
        if (r.contains("unrecognized ssl message") || r.contains("plaintext") || r.contains("not an ssl")) {
            return "not-tls";
        }
        if (r.contains("protocol") || r.contains("cipher") || r.contains("handshake_failure")) {
            return "no-common-protocol";
        }
        return "other";
    }
}
