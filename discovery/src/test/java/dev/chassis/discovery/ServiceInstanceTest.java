package dev.chassis.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A registry entry or a DNS answer names a host, nothing more: one that would choose the path, query, user or port
 * of the calls made to it (169.254.169.254/latest/meta-data/...?) is refused, and the backends leave it out.
 */
class ServiceInstanceTest {
    private static ServiceInstance at(String host) {
        return new ServiceInstance("i", "inventory", host, 8080, List.of("http"), Map.of(), ServiceInstance.Health.UP);
    }

    @Test
    void hostNamesAndAddressesAreTaken() {
        for (String host : List.of("localhost", "10.0.0.7", "inventory.shop.svc.cluster.local", "inventory.shop.",
                "::1", "[::1]", "fe80::1", "2001:db8::7")) {
            assertThat(at(host).uri().getHost()).as(host).isNotNull();
            assertThat(at(host).uri().getPath()).as(host).isEmpty();
            assertThat(at(host).uri().getPort()).as(host).isEqualTo(8080);
        }
    }

    @Test
    void aHostThatWouldChooseMoreThanTheHostIsRefused() {
        for (String host : List.of("169.254.169.254/latest/meta-data/iam/security-credentials/x?", "u@host", "host#",
                "host:80", "evil host", "", "a..b", "-leading.example", "host/path", "host?q=1", "[::1]/x",
                "pod_1.example", ":", "[::1", "::1]", "[:]", "[::1]]")) {
            assertThatThrownBy(() -> at(host)).as("'%s'", host).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("neither a host name nor an IP address");
        }
    }
}
