package dev.chassis.messaging.jdbc.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import dev.chassis.core.spi.ClientTls;

/**
 * The PostgreSQL driver's TLS sockets from a Chassis TLS bundle ({@code sslfactory}): the bundle's context (its
 * material follows rotated files), protocols, strong suites and host name verification. The driver creates it by
 * class name with the connection's properties, which carry a token ({@link #PROPERTY}) of the bundle this data
 * source {@link #register registered}. Not API.
 */
public final class BundleSocketFactory extends SSLSocketFactory {
    /** The connection property that holds the token. */
    static final String PROPERTY = "chassisTlsBundle";
    private static final Map<String, ClientTls> BUNDLES = new ConcurrentHashMap<>();

    private final ClientTls tls;

    /** What the driver calls, with the connection's properties. */
    public BundleSocketFactory(Properties info) {
        String token = info.getProperty(PROPERTY);
        this.tls = token == null ? null : BUNDLES.get(token);
        if (tls == null) {
            throw new IllegalStateException("no TLS bundle is registered as " + PROPERTY + " = " + token
                    + " (the data source was closed)");
        }
    }

    /** Makes {@code tls} available to connections whose {@link #PROPERTY} is the token returned. */
    static String register(ClientTls tls) {
        String token = tls.name() + "#" + UUID.randomUUID();
        BUNDLES.put(token, tls);
        return token;
    }

    /** Forgets a bundle registered with {@link #register}, when its data source closes. */
    static void unregister(String token) {
        BUNDLES.remove(token);
    }

    private Socket configured(Socket socket) {
        ((SSLSocket) socket).setSSLParameters(tls.parameters());
        return socket;
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return configured(tls.context().getSocketFactory().createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return configured(tls.context().getSocketFactory().createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return configured(tls.context().getSocketFactory().createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return configured(tls.context().getSocketFactory().createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return configured(tls.context().getSocketFactory().createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tls.parameters().getCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.parameters().getCipherSuites();
    }
}
