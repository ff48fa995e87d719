package dev.chassis.security.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.chassis.security.MutableClock;
import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.testing.StartFailure;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * Client-credentials and relayed tokens on declarative HTTP clients, with a real OpenID Connect provider
 * (mock-oauth2-server) in the test JVM: its token endpoint is asked exactly as often as the rules say, which the test
 * counts from the requests the provider records.
 */
class ClientCredentialsTest {
    private static final String SECRET = "s3cret-never-shown";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final MutableClock clock = new MutableClock();
    private MockOAuth2Server provider;
    private Target target;

    @BeforeEach
    void start() {
        provider = new MockOAuth2Server();
        provider.start();
        target = new Target();
        open.add(target);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        provider.shutdown();
    }

    private ServiceBuilder caller(Map<String, String> properties) {
        ServiceBuilder b = Chassis.service("caller").property("server.port", "0").clock(clock)
                .property("clients.items.url", target.url())
                .property("clients.items.credentials", "client-credentials")
                .property("clients.items.client-credentials.issuer", provider.issuerUrl("default").toString())
                .property("clients.items.client-credentials.client-id", "orders")
                .property("clients.items.client-credentials.client-secret", SECRET)
                .property("clients.items.client-credentials.scope", "items:read");
        properties.forEach(b::property);
        return b;
    }

    private ItemsClient client(ServiceBuilder b) {
        ItemsClient client = b.client(ItemsClient.class);
        RunningService s = b.start();
        open.add(s::stop);
        return client;
    }

    /** The requests the provider received since the last call, by path. */
    private List<String> providerRequests() {
        List<String> paths = new ArrayList<>();
        // the provider records a request before it answers, and every answer has come: nothing is still on its way,
        // so the queue is drained until empty (the provider throws rather than answer null)
        while (true) {
            RecordedRequest r;
            try {
                r = provider.takeRequest(1, TimeUnit.MILLISECONDS);
            } catch (RuntimeException empty) {
                return paths;
            }
            paths.add(r.getPath());
        }
    }

    @Test
    void hundredConcurrentCallsFetchOneToken() throws Exception {
        ItemsClient client = client(caller(Map.of()));
        List<Callable<ItemsClient.Item>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = Integer.toString(i);
            calls.add(() -> client.get(id));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<ItemsClient.Item> f : pool.invokeAll(calls)) {
                assertThat(f.get().id()).isNotNull();
            }
        }
        assertThat(providerRequests()).containsExactly("/default/.well-known/openid-configuration", "/default/token");
        assertThat(target.authorizations).hasSize(100).allMatch(a -> a.startsWith("Bearer ey"));
        assertThat(new HashSet<>(target.authorizations)).as("one token for all").hasSize(1);
    }

    @Test
    void theTokenIsReplacedShortlyBeforeItExpires() throws Exception {
        ItemsClient client = client(caller(Map.of("clients.items.client-credentials.token-url",
                provider.tokenEndpointUrl("default").toString())));
        client.get("1");
        clock.advance(Duration.ofSeconds(3000)); // the provider's tokens live an hour; the margin is 30 s
        client.get("2");
        assertThat(providerRequests()).as("still valid: no discovery (token-url is set), one token")
                .containsExactly("/default/token");
        clock.advance(Duration.ofSeconds(600 - 30)); // the last 30 s of the hour: within the margin
        client.get("3");
        assertThat(providerRequests()).containsExactly("/default/token");
        assertThat(target.authorizations.get(0)).isEqualTo(target.authorizations.get(1))
                .isNotEqualTo(target.authorizations.get(2));
    }

    @Test
    void a401RefreshesTheTokenAndRetriesOnceEvenForAPost() throws Exception {
        ItemsClient client = client(caller(Map.of()));
        client.get("warm");
        providerRequests();
        target.authorizations.clear();

        target.script.add(401);
        assertThat(client.post("1").id()).isEqualTo("1");
        assertThat(target.authorizations).hasSize(2);
        assertThat(target.authorizations.get(0)).as("a new token for the retry").isNotEqualTo(target.authorizations.get(1));
        assertThat(providerRequests()).containsExactly("/default/token");

        target.authorizations.clear();
        target.script.addAll(List.of(401, 401, 401));
        assertThatThrownBy(() -> client.get("2")).isInstanceOfSatisfying(RemoteProblemException.class,
                e -> assertThat(e.status()).isEqualTo(401));
        assertThat(target.authorizations).as("one retry only").hasSize(2);
        assertThat(providerRequests()).containsExactly("/default/token");
    }

    @Test
    void anUnreachableTokenEndpointFailsTheCallNamingItAndNotTheSecret() throws Exception {
        String down;
        try (ServerSocket s = new ServerSocket(0)) {
            down = "http://localhost:" + s.getLocalPort() + "/token";
        }
        ItemsClient client = client(caller(Map.of("clients.items.client-credentials.token-url", down)));
        assertThatThrownBy(() -> client.get("1")).isInstanceOfSatisfying(TokenUnavailableException.class, e -> {
            assertThat(e.getMessage()).contains("items", down).doesNotContain(SECRET);
            assertThat(e.target()).isEqualTo("items");
            assertThat(e.toProblem().status()).isEqualTo(503);
        });
        assertThat(target.authorizations).as("the target was not called").isEmpty();
    }

    @Test
    void aRefusedClientIsNamedWithTheProvidersErrorCode() {
        // the token endpoint answers 400 invalid_scope... or any error: the mock answers an unknown grant with 400
        ItemsClient client = client(caller(Map.of("clients.items.client-credentials.token-url",
                provider.url("/default/nothing-here").toString())));
        assertThatThrownBy(() -> client.get("1")).isInstanceOf(TokenUnavailableException.class)
                .hasMessageContaining("answered").hasMessageNotContaining(SECRET);
    }

    @Test
    void relayPassesTheIncomingTokenThrough() throws Exception {
        ItemsClient client = client(caller(Map.of("clients.items.credentials", "relay")));
        String userToken = provider.issueToken("default", "alice").serialize();
        // the server side of chassis-security binds the verified request's token so; here the test does
        CurrentCaller.call(Caller.authenticated("alice", "https://issuer").build(), userToken, () -> client.get("1"));
        client.get("2"); // outside any request: no token
        assertThat(target.authorizations).containsExactly("Bearer " + userToken, "none");
        assertThat(providerRequests()).as("relay never asks the provider").isEmpty();
    }

    @Test
    void incompleteClientCredentialsStopStartUpNamingTheKeys() {
        RuntimeException e = StartFailure.of(Chassis.service("caller")
                .property("clients.items.url", "http://localhost:1")
                .property("clients.items.credentials", "client-credentials")
                .property("clients.items.client-credentials.token-url", "ftp://issuer/token"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("clients.items.client-credentials.token-url is 'ftp://issuer/token'")
                .hasMessageContaining("clients.items.client-credentials.client-id is unset")
                .hasMessageContaining("clients.items.client-credentials.client-secret is unset");
        assertThat(StartFailure.of(Chassis.service("caller").property("clients.items.credentials", "kerberos")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("clients.items.credentials");
    }

}
