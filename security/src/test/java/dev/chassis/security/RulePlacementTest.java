package dev.chassis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.Post;
import dev.chassis.testing.TestClient;
import dev.chassis.tests.grpc.proto.ArchiveGrpc;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractBlockingStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

/**
 * Rule annotations apply wherever a reader of the code would look for them — on an interface that declares the
 * handler, on the endpoint class of a handler it inherits, on a base class — and a gRPC method's rule is read from
 * the method that implements the RPC, not from a helper sharing its name nor lost for a keyword-named RPC. Each of
 * these was once silently ignored, leaving the method open to anyone.
 */
class RulePlacementTest {
    /** A base class of handlers, with no rule of its own. */
    public abstract static class CrudBase {
        @Get("/all")
        public String all() {
            return "every record";
        }
    }

    /** The rule is on the endpoint's class; its only handler is inherited. */
    @Path("/admin-records")
    @RolesAllowed("admin")
    public static final class AdminRecords extends CrudBase {
    }

    /** An interface that declares a handler and its rule. */
    @Path("/users")
    public interface UsersApi {
        @Get("/secret")
        @RolesAllowed("admin")
        String secret();
    }

    /** Implements the interface with no annotation of its own. */
    public static final class Users implements UsersApi {
        @Override
        public String secret() {
            return "secret";
        }
    }

    /** A generic interface: its method's parameter is Object once erased. */
    @Path("/generic")
    public interface Creating<T> {
        @Post
        @RolesAllowed("admin")
        String create(@Body T item);
    }

    /** Implements it for one type, with no annotation of its own. */
    public static final class Orders implements Creating<String> {
        @Override
        public String create(String item) {
            return "created " + item;
        }
    }

    /** A rule on an abstract base class. */
    @RolesAllowed("admin")
    public abstract static class AdminOnly {
    }

    /** Its handlers are declared here, without a rule. */
    @Path("/ops")
    public static final class Ops extends AdminOnly {
        @Get("/restart")
        public String restart() {
            return "restarted";
        }
    }

    /** A handler overriding a base method that carries the rule. */
    public static class Guarded {
        @Get("/guarded")
        @RolesAllowed("admin")
        public String guarded() {
            return "base";
        }
    }

    /** Overrides without repeating the rule. */
    public static final class GuardedOverride extends Guarded {
        @Override
        @Get("/guarded")
        public String guarded() {
            return "override";
        }
    }

    /** The RPC's implementation beside helpers that share its Java name. */
    static final class Echo extends EchoGrpc.EchoImplBase {
        @Override
        @RolesAllowed("admin")
        public void say(EchoRequest request, StreamObserver<EchoReply> out) {
            out.onNext(EchoReply.newBuilder().setText(say(request.getText())).build());
            out.onCompleted();
        }

        private String say(String text) {
            say(text, false);
            return "admin-only: " + text;
        }

        private void say(String text, boolean loud) {
            assertThat(loud).isFalse();
        }
    }

    /** RPCs named Import and New: grpc-java's import_ and new_; one ruled on the method, one by the class. */
    @Authenticated
    static final class Archive extends ArchiveGrpc.ArchiveImplBase {
        @Override
        @RolesAllowed("admin")
        public void import_(EchoRequest request, StreamObserver<EchoReply> out) {
            out.onNext(EchoReply.newBuilder().setText("imported").build());
            out.onCompleted();
        }

        @Override
        public void new_(EchoRequest request, StreamObserver<EchoReply> out) {
            out.onNext(EchoReply.newBuilder().setText("created").build());
            out.onCompleted();
        }
    }

    private static final Provider PROVIDER = new Provider();
    private static final RunningService SERVICE = PROVIDER.trusted(Chassis.service("records")
                    .http(new AdminRecords()).http(new Users()).http(new Ops()).http(new GuardedOverride()).http(new Orders())
                    .grpc(new Echo()).grpc(new Archive()))
            .property("server.port", "0").start();
    private static final TestClient CLIENT = new TestClient(SERVICE.uri());
    private static final ManagedChannel CHANNEL = ManagedChannelBuilder.forAddress("127.0.0.1", SERVICE.port())
            .usePlaintext().build();

    @AfterAll
    static void stop() throws InterruptedException {
        CHANNEL.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        SERVICE.stop();
        PROVIDER.close();
    }

    private static String bearer(String... roles) {
        return "Bearer " + PROVIDER.token(Map.of("roles", List.of(roles)));
    }

    @Test
    void httpRulesOnInterfacesBaseClassesAndTheEndpointsClassApply() {
        for (String path : List.of("/admin-records/all", "/users/secret", "/ops/restart", "/guarded")) {
            assertThat(CLIENT.get(path).status()).as("GET %s without a token", path).isEqualTo(401);
            assertThat(CLIENT.get(path, "Authorization", bearer("clerk")).status()).as("GET %s as a clerk", path)
                    .isEqualTo(403);
            assertThat(CLIENT.get(path, "Authorization", bearer("admin")).status()).as("GET %s as an admin", path)
                    .isEqualTo(200);
        }
        assertThat(CLIENT.get("/guarded", "Authorization", bearer("admin")).body()).isEqualTo("\"override\"");
        // a generic interface's rule (create(T), erased to create(Object)) holds for its implementation create(String)
        assertThat(CLIENT.post("/generic", "\"x\"").status()).isEqualTo(401);
        assertThat(CLIENT.post("/generic", "\"x\"", "Authorization", bearer("clerk")).status()).isEqualTo(403);
        assertThat(CLIENT.post("/generic", "\"x\"", "Authorization", bearer("admin")).status()).isEqualTo(200);
    }

    private static <S extends AbstractBlockingStub<S>> S as(S stub, String authorization) {
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
        }
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static Status.Code refusal(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        return e == null ? Status.Code.OK : e.getStatus().getCode();
    }

    @Test
    void anRpcsRuleIsReadFromItsImplementationNotFromAHelperSharingItsName() {
        EchoRequest hi = EchoRequest.newBuilder().setText("hi").build();
        assertThat(refusal(() -> as(EchoGrpc.newBlockingStub(CHANNEL), null).say(hi)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal(() -> as(EchoGrpc.newBlockingStub(CHANNEL), bearer("clerk")).say(hi)))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(as(EchoGrpc.newBlockingStub(CHANNEL), bearer("admin")).say(hi).getText()).isEqualTo("admin-only: hi");
    }

    @Test
    void keywordNamedRpcsKeepTheirMethodAndClassRules() {
        EchoRequest hi = EchoRequest.newBuilder().setText("hi").build();
        assertThat(refusal(() -> as(ArchiveGrpc.newBlockingStub(CHANNEL), null).import_(hi)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(refusal(() -> as(ArchiveGrpc.newBlockingStub(CHANNEL), bearer("clerk")).import_(hi)))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(as(ArchiveGrpc.newBlockingStub(CHANNEL), bearer("admin")).import_(hi).getText()).isEqualTo("imported");
        // New has no rule of its own: the class's @Authenticated holds
        assertThat(refusal(() -> as(ArchiveGrpc.newBlockingStub(CHANNEL), null).new_(hi)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(as(ArchiveGrpc.newBlockingStub(CHANNEL), bearer("clerk")).new_(hi).getText()).isEqualTo("created");
    }
}
