package dev.chassis.core.internal.tls;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/** Turns a failed client handshake into a message naming the bundle, the peer, the TLS reason and the fix. Not API. */
final class HandshakeMessages {
    private HandshakeMessages() {
    }

    static String describe(String bundle, boolean hasKey, String peer, Throwable failure) {
        String reason = reason(failure);
        String lower = reason.toLowerCase(Locale.ROOT);
        String hint;
        if (lower.contains("pkix path") || lower.contains("certification path") || lower.contains("path does not chain")) {
            hint = "the certificate " + peer + " presented does not chain to the CAs of tls.bundles." + bundle + ".trust";
        } else if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            hint = "the certificate " + peer + " presented does not name the host connected to";
        } else if (lower.contains("certificate_required") || lower.contains("bad_certificate")
                || lower.contains("unknown_ca") || lower.contains("certificate_unknown")) {
            hint = hasKey ? peer + " refused the client certificate of bundle '" + bundle + "' (does its CA trust it?)"
                    : peer + " wants a client certificate, and bundle '" + bundle + "' has none: set tls.bundles."
                    + bundle + ".certificate and private-key (or keystore)";
        } else if (!hasKey && closedAfterHandshake(lower)) {
            // TLS 1.3: the peer checks the client certificate after the client's handshake is done, and may close
            // before its alert is read
            hint = peer + " closed the connection right after the handshake, as a server that wants a client"
                    + " certificate does under TLS 1.3, and bundle '" + bundle + "' has none: set tls.bundles." + bundle
                    + ".certificate and private-key (or keystore)";
        } else {
            hint = null;
        }
        return "TLS handshake with " + peer + " failed (bundle '" + bundle + "'): " + reason
                + (hint == null ? "" : "; " + hint);
    }

    /** Whether the reason is the connection ending (reset, broken pipe, end of stream) rather than a TLS alert. */
    static boolean closedAfterHandshake(String lowerReason) {
        return lowerReason.contains("broken pipe") || lowerReason.contains("connection reset")
                || lowerReason.contains("eof") || lowerReason.contains("closed") || lowerReason.contains("no bytes");
    }

    /** The message of the innermost TLS or certificate exception among the causes, else of the outermost. */
    private static String reason(Throwable failure) {
        Throwable found = null;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException || t instanceof CertPathValidatorException) {
                found = t;
            }
        }
        Throwable t = found != null ? found : failure;
        if (t == null) {
            return "unknown reason";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
