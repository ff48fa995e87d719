package dev.chassis.core.internal.transport;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.chassis.core.Problem;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Clients that hang up in the middle of a request are not the server's failures.
 *
 * <p>Helidon 4.5.0 treats an HTTP/1.1 connection whose client closed it in the middle of a request's headers as an
 * internal error: it writes a 500 to the closed connection and logs "Internal server error" at WARNING with two stack
 * traces, about 2 KB for each such connection — a log that a peer opening connections and closing them half way can
 * fill at will, and a false alarm for every client on a flaky network. {@link #install()} puts a filter on Helidon's
 * logger of HTTP/1.1 connections that drops that record — that message, with a {@link RequestException} caused by the
 * connection's reader running out of data — and logs a line at DEBUG instead. It applies where Helidon's
 * {@code System.Logger} is backed by {@code java.util.logging}, the JDK's default.
 *
 * <p>A request body cut short the same way is answered by {@link #bodyEnded}, where Chassis reads bodies: the reader
 * knows that the data that ran out was the request's own (the same exception from a downstream answer cut short, in
 * a handler, stays a 500). Not API.
 */
public final class HangUps implements Filter {
    private static final System.Logger LOG = System.getLogger(HangUps.class.getName());
    /** Held here: {@code java.util.logging} keeps its loggers, and so their filters, only while someone does. */
    private static final Logger HTTP1 = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");
    private static final java.util.logging.Level WARNING = java.util.logging.Level.WARNING; // CHECKSTYLE:FQN-OK
    /** Helidon's message (Http1Connection.handleRequestException) for a 500 it answered itself. */
    static final String HELIDON_MESSAGE = "Internal server error";

    private final Filter previous; // the filter that was there, asked about every other record

    HangUps(Filter previous) {
        this.previous = previous;
    }

    /** Installs the filter on Helidon's HTTP/1.1 connection logger, once (by class name: one per JVM). */
    static synchronized void install() {
        Filter current = HTTP1.getFilter();
        if (current == null || !current.getClass().getName().equals(HangUps.class.getName())) {
            HTTP1.setFilter(new HangUps(current));
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getLevel() == WARNING && HELIDON_MESSAGE.equals(record.getMessage())
                && record.getThrown() instanceof RequestException && endedEarly(record.getThrown())) {
            LOG.log(Level.DEBUG, "a client closed its connection in the middle of a request");
            return false;
        }
        return previous == null || previous.isLoggable(record);
    }

    /**
     * Whether an error is, or was caused by, Helidon's for a connection whose peer stopped sending in the middle of a
     * message ({@link DataReader.InsufficientDataAvailableException}).
     *
     * @param error an exception, or null
     * @return true when it or one of its first causes is that exception
     */
    public static boolean endedEarly(Throwable error) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof DataReader.InsufficientDataAvailableException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What to throw for a failure while Chassis read a request's body: {@link #bodyEnded} when the client hung up; a
     * 400 that closes the connection when Helidon's reader failed on the body's framing (Helidon 4.5.0 throws, say, a
     * {@code NumberFormatException} for a chunk size it cannot read, or a chunk extension, which became a 500 and an
     * ERROR with a stack trace that any client could make at will); else the failure itself.
     *
     * @param req     the request
     * @param failure what reading its body threw
     * @return the exception to throw
     */
    public static RuntimeException whileReadingBody(ServerRequest req, RuntimeException failure) {
        if (endedEarly(failure)) {
            return bodyEnded(req);
        }
        if (malformedFraming(failure)) {
            LOG.log(Level.DEBUG, () -> req.prologue().method().text() + " " + req.path().path()
                    + ": the request body's framing could not be read: " + failure);
            return Problem.builder(400).detail("the request body's framing is malformed (e.g. a chunk size that is not"
                    + " hexadecimal, or a chunk extension)").header("Connection", "close").build();
        }
        return failure;
    }

    /**
     * Whether Helidon's reader of the body threw an unchecked exception of its own making (one thrown where the
     * first frame outside the JDK is Helidon's), as opposed to the answers it means (a {@link RequestException}: 413)
     * and the connection's end.
     */
    private static boolean malformedFraming(RuntimeException failure) {
        if (failure instanceof RequestException || failure instanceof HttpException || failure instanceof Problem
                || failure instanceof CloseConnectionException || failure instanceof UncheckedIOException) {
            return false;
        }
        for (StackTraceElement frame : failure.getStackTrace()) {
            String type = frame.getClassName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                return type.startsWith("io.helidon.");
            }
        }
        return false;
    }

    /**
     * The answer to a request whose body ended before it was complete because its client closed the connection: a 400
     * that nobody will read, counted as a client's error and not logged above DEBUG.
     *
     * @param req the request
     * @return the problem to throw
     */
    public static Problem bodyEnded(ServerRequest req) {
        LOG.log(Level.DEBUG, () -> req.prologue().method().text() + " " + req.path().path()
                + ": the client closed the connection before the request body was complete");
        return Problem.builder(400).detail("the request body ended before it was complete: the connection was closed")
                .build();
    }
}
