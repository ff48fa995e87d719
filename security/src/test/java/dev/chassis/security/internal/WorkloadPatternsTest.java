package dev.chassis.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Peer;
import dev.chassis.testing.TestCertificates;

/**
 * Which certificates a workload pattern admits: a SPIFFE pattern only a SPIFFE ID (URI SAN), never a DNS name that
 * reads like one, and a {@code /*} prefix only whole path segments; other patterns DNS names, exactly. Real
 * certificates from a test CA, read as a verified handshake's peer would be.
 */
class WorkloadPatternsTest {
    private static final TestCertificates CA = TestCertificates.authority("workloads CA");

    private static Peer peer(TestCertificates.Request request) {
        TestCertificates.Issued issued = request.create();
        return Peer.of(List.of(issued.certificate(), issued.issuer()));
    }

    @Test
    void aSpiffePatternMatchesTheSpiffeIdOnly() {
        Peer admin = peer(CA.issue("admin").spiffe("spiffe://example.org/admin"));
        Peer lookalike = peer(CA.issue("lookalike").dns("spiffe://example.org/admin")); // a DNS SAN, no URI SAN
        Peer subject = peer(CA.issue("spiffe://example.org/admin")); // the subject's CN
        assertThat(RuleSpec.matches("spiffe://example.org/admin", admin)).isTrue();
        assertThat(lookalike.identity()).hasValue("spiffe://example.org/admin"); // what the rule once compared
        assertThat(RuleSpec.matches("spiffe://example.org/admin", lookalike)).isFalse();
        assertThat(RuleSpec.matches("spiffe://example.org/*", lookalike)).isFalse();
        assertThat(RuleSpec.matches("spiffe://example.org/admin", subject)).isFalse();
    }

    @Test
    void aPrefixStandsForWholePathSegments() {
        Peer orders = peer(CA.issue("orders").spiffe("spiffe://example.org/ns/shop/sa/orders"));
        Peer evil = peer(CA.issue("evil").spiffe("spiffe://example.org.evil/ns/shop/sa/orders"));
        assertThat(RuleSpec.matches("spiffe://example.org/ns/shop/*", orders)).isTrue();
        assertThat(RuleSpec.matches("spiffe://example.org/*", evil)).isFalse();
        assertThat(RuleSpec.badWorkload("spiffe://example.org/ns/shop/sa/orders*")).contains("whole path segments");
        assertThat(RuleSpec.badWorkload("spiffe://example.org*")).contains("whole path segments");
        assertThat(RuleSpec.badWorkload("spiffe://*")).contains("whole path segments");
        assertThat(RuleSpec.badWorkload("spiffe://example.org/ns/shop/*")).isNull();
        assertThat(RuleSpec.badWorkload("orders.shop.svc*")).contains("matched exactly");
    }

    @Test
    void otherPatternsMatchADnsNameExactly() {
        Peer billing = peer(CA.issue("billing").dns("billing.shop.svc").dns("billing"));
        assertThat(RuleSpec.matches("billing.shop.svc", billing)).isTrue();
        assertThat(RuleSpec.matches("billing", billing)).isTrue();
        assertThat(RuleSpec.matches("billing.shop", billing)).isFalse();
        assertThat(RuleSpec.matches("CN=billing", billing)).isFalse();
    }
}
