package dev.chassis.core.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketException;

import org.junit.jupiter.api.Test;

/**
 * How a client's transport failure is read. The TLS 1.3 case is simulated here by the stack a real run showed (a
 * refused client certificate surfacing as a broken pipe while the request is written through the JDK's TLS socket):
 * against a real server it only happens when the server's close wins the race with its alert.
 */
class TlsFailuresTest {
    private static SocketException brokenPipe(String writer) {
        SocketException e = new SocketException("Broken pipe");
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("sun.nio.ch.SocketDispatcher", "write0", null, -2),
            new StackTraceElement(writer, "write", null, 1306),
        });
        return e;
    }

    @Test
    void aBrokenPipeWhileWritingOverTlsIsReadAsARefusalAfterTheHandshake() {
        String reason = TlsFailures.reason(new UncheckedIOException(brokenPipe("sun.security.ssl.SSLSocketImpl$AppOutputStream")));
        assertThat(reason).startsWith("Broken pipe: the server closed the TLS connection before reading the request")
                .contains("TLS 1.3");
    }

    @Test
    void aBrokenPipeOnAPlainSocketIsNotATlsFailure() {
        assertThat(TlsFailures.reason(new UncheckedIOException(brokenPipe("java.net.Socket$SocketOutputStream"))))
                .isNull();
    }
}
