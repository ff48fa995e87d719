package dev.chassis.tests.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Talks raw bytes to a server, to test what a well-behaved HTTP client would never send. */
final class RawSocket implements AutoCloseable {
    /** What came back: the bytes read and whether the server closed the connection. */
    record Reply(String text, boolean closedByServer) {
        int status() {
            return Integer.parseInt(text.substring(9, 12));
        }
    }

    private final Socket socket;

    RawSocket(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(readTimeoutMillis);
    }

    RawSocket send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until the server closes the connection or the read timeout passes. */
    Reply readUntilCloseOrTimeout() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            return new Reply(out.toString(StandardCharsets.ISO_8859_1), true);
        } catch (SocketTimeoutException e) {
            return new Reply(out.toString(StandardCharsets.ISO_8859_1), false);
        } catch (IOException reset) {
            return new Reply(out.toString(StandardCharsets.ISO_8859_1), true);
        }
    }

    /** Reads a response's status line and headers only (for HEAD), leaving the connection open. */
    String readHeadersOnly() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the headers: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response with a Content-Length body, leaving the connection open. */
    String readOneResponse() throws IOException {
        String headers = readHeadersOnly();
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = socket.getInputStream().readNBytes(length);
        return headers + new String(body, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
