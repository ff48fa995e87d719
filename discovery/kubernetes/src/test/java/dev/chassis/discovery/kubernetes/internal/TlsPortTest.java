package dev.chassis.discovery.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chassis.discovery.ServiceInstance;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

/** Which EndpointSlice ports are called over https: a port named https or grpcs (or https-...), or appProtocol https. */
class TlsPortTest {
    private static EndpointSlice slice(String portName, String appProtocol) {
        return new EndpointSliceBuilder().withNewMetadata().withName("inventory-x").withNamespace("shop")
                .addToLabels(KubernetesBackend.SERVICE_NAME_LABEL, "inventory").endMetadata().withAddressType("IPv4")
                .addNewPort().withName(portName).withAppProtocol(appProtocol).withPort(8443).withProtocol("TCP").endPort()
                .addNewEndpoint().withAddresses("10.0.0.7").withNewConditions().withReady(true).endConditions().endEndpoint()
                .build();
    }

    private static List<URI> uris(String configuredPortName, EndpointSlice slice) {
        return new KubernetesBackend.Registry(null, "shop", configuredPortName).instancesOf("inventory", List.of(slice))
                .stream().map(ServiceInstance::uri).toList();
    }

    @Test
    void portsNamedForTlsAreCalledOverHttps() {
        assertThat(uris("https", slice("https", null))).containsExactly(URI.create("https://10.0.0.7:8443"));
        assertThat(uris("grpcs", slice("grpcs", null))).containsExactly(URI.create("https://10.0.0.7:8443"));
        assertThat(uris("https-api", slice("https-api", null))).containsExactly(URI.create("https://10.0.0.7:8443"));
        assertThat(uris("web", slice("web", "https"))).containsExactly(URI.create("https://10.0.0.7:8443"));
        // the slice's only port is taken when the configured name is absent: its name still says TLS
        assertThat(uris("http", slice("https", null))).containsExactly(URI.create("https://10.0.0.7:8443"));
    }

    @Test
    void otherPortsAreCalledOverHttp() {
        assertThat(uris("http", slice("http", null))).containsExactly(URI.create("http://10.0.0.7:8443"));
        assertThat(uris("http", slice("grpc", "kubernetes.io/h2c"))).containsExactly(URI.create("http://10.0.0.7:8443"));
        assertThat(uris("http", slice("httpsish", null))).containsExactly(URI.create("http://10.0.0.7:8443"));
    }
}
