package dev.chassis.messaging.kafka.internal;

import java.security.KeyStore;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLEngine;

import org.apache.kafka.common.security.auth.SslEngineFactory;

import dev.chassis.core.spi.ClientTls;

/**
 * Kafka's SSL engines from a Chassis TLS bundle ({@code ssl.engine.factory.class}): the bundle's context (its
 * material follows rotated files), protocols and strong suites, and host name verification always on. The bundle
 * itself travels in the client's configuration under {@link #BUNDLE}. Client side only. Not API.
 */
public final class BundleSslEngineFactory implements SslEngineFactory {
    /** The configuration entry that holds the {@link ClientTls}. */
    static final String BUNDLE = "chassis.tls.bundle";

    private ClientTls tls;

    /** Kafka instantiates it by name. */
    public BundleSslEngineFactory() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (!(configs.get(BUNDLE) instanceof ClientTls bundle)) {
            throw new IllegalStateException(BUNDLE + " is missing from the Kafka client's configuration");
        }
        this.tls = bundle;
    }

    @Override
    public SSLEngine createClientSslEngine(String peerHost, int peerPort, String endpointIdentification) {
        SSLEngine engine = tls.context().createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        engine.setSSLParameters(tls.parameters());
        return engine;
    }

    @Override
    public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
        throw new UnsupportedOperationException("bundle '" + tls.name() + "' is used by Kafka clients only");
    }

    @Override
    public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
        return false; // the bundle's context follows its files itself
    }

    @Override
    public Set<String> reconfigurableConfigs() {
        return Set.of();
    }

    @Override
    public KeyStore keystore() {
        return null;
    }

    @Override
    public KeyStore truststore() {
        return null;
    }

    @Override
    public void close() {
    }
}
