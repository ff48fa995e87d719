package dev.chassis.tests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.testing.StartFailure;

/**
 * Start-up runs in phases — load configuration, register, bind and validate, serve — and every configuration key
 * and annotation is checked before the port opens: each failure here happens on a port that is already taken, so
 * a start-up that got as far as binding would fail with "cannot listen" instead.
 */
class PhasesTest {
    @Path("/things")
    public static final class ThingApi {
        @Get("/{id}")
        public String get(@PathParam String id) {
            return id;
        }
    }

    @Path("/broken")
    public static final class BrokenApi {
        @Get("/{id}")
        public String get(@PathParam("nope") String id) {
            return id;
        }
    }

    @Test
    void aCoreKeyTypoFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("phases").property("server.idle-timout", "5s"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("server.idle-timout");
    }

    @Test
    void aResilienceKeyNamingNoHandlerFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("phases").http(new ThingApi())
                .property("handlers.thing-api.gte.retry.max-attempts", "2"));
        assertThat(e).isInstanceOf(ConfigException.class)
                .hasMessageContaining("handlers.thing-api.gte names no handler")
                .hasMessageContaining("thing-api.get");
    }

    @Test
    void aResilienceValueOutOfRangeFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("phases").http(new ThingApi())
                .property("handlers.thing-api.get.retry.max-attempts", "0"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("handlers.thing-api.get.retry.max-attempts");
    }

    @Test
    void anObservabilityValueOfTheWrongTypeFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("phases")
                .property("observability.tracing.sampler.ratio", "lots"));
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("observability.tracing.sampler.ratio");
    }

    @Test
    void aMisusedAnnotationFailsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("phases").http(new BrokenApi()));
        assertThat(e).isInstanceOf(BindingException.class).hasMessageContaining("BrokenApi.get");
    }

    @Test
    void anExtensionRegisteringAfterRegisterIsRefused() {
        RuntimeException e = StartFailure.of(Chassis.service("phases").property("greeting.register-late", "true"));
        assertThat(e).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("registered something after register(...) returned");
    }

    @Test
    void anExtensionsBoundCheckRunsBeforeThePortIsBound() {
        RuntimeException e = StartFailure.of(Chassis.service("phases").property("greeting.fail-on-bound", "true"));
        assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("greeting refuses what was bound");
    }

    @Client("nowhere")
    interface Nowhere {
        @Get("/x")
        String x();
    }

    @Test
    void aClientWithNowhereToGoFailsBeforeThePortIsBound() {
        ServiceBuilder builder = Chassis.service("phases");
        builder.client(Nowhere.class);
        RuntimeException e = StartFailure.of(builder);
        assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("clients.nowhere.url");
    }

    @Test
    void theMissingUrlMessageSaysWhatIsMissing() {
        ServiceBuilder builder = Chassis.service("phases");
        builder.client(Nowhere.class);
        assertThat(StartFailure.of(builder)).isInstanceOf(ConfigException.class)
                // this module's test extension resolves targets, as discovery would
                .hasMessageContaining("calls 'nowhere', but clients.nowhere.url is not set and no resolver (discovery)"
                        + " knows 'nowhere'. Fix: set clients.nowhere.url (e.g. http://localhost:8081), or have"
                        + " 'nowhere' registered where discovery looks");
    }

    @Test
    void aMisspeltClientBlockIsNamedAsTheLikelyFix() {
        ServiceBuilder builder = Chassis.service("phases").property("clients.nowher.url", "http://localhost:1");
        builder.client(Nowhere.class);
        assertThat(StartFailure.of(builder)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("clients.nowhere.url is not set")
                .hasMessageContaining("Fix: the configuration has clients.nowher: if it means 'nowhere', rename it to"
                        + " clients.nowhere");
    }
}
