package dev.chassis.core.internal.http.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Json;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Status;

/**
 * Annotation binding on its own, without a server: what an endpoint object becomes, and the error each misuse gets
 * (naming the class, the method and the fix). {@code tests/.../BindingErrorsTest} shows the same errors stop
 * {@code start()}.
 */
class EndpointBinderTest {
    private final EndpointBinder binder = new EndpointBinder(Json.mapper(), "svc", List.of(), null, null);

    public record A(String a) {
    }

    @Path("/orders")
    public static final class Orders {
        @Get("/{id}")
        public String get(@PathParam String id, @QueryParam(defaultValue = "10") int limit) {
            return id;
        }

        @Post
        @Status(201)
        public A create(@Body A a) {
            return a;
        }

        public String notAHandler() {
            return "";
        }
    }

    @Path("/x")
    public static final class TwoBodies {
        @Post
        public void create(@Body A first, @Body A second) {
        }
    }

    @Path("/x")
    public static final class UnknownVariable {
        @Get("/{id}")
        public String get(@PathParam("other") String other) {
            return other;
        }
    }

    @Path("/x")
    public static final class UnsupportedType {
        @Get
        public String get(@QueryParam Map<String, String> all) {
            return "";
        }
    }

    @Path("/x")
    public static final class SameRouteTwice {
        @Get("/{a}")
        public String one(@PathParam String a) {
            return a;
        }

        @Get("/{b}")
        public String two(@PathParam String b) {
            return b;
        }
    }

    @Path("/x")
    public static final class Unannotated {
        @Get
        public String get(String what) {
            return what;
        }
    }

    @Path("/x")
    public static final class ErrorStatus {
        @Get
        @Status(404)
        public String get() {
            return "";
        }
    }

    @Path("/x")
    public static final class NotPublic {
        @Get
        String get() {
            return "";
        }
    }

    @Path("/x")
    public static final class Static {
        @Get
        public static String get() {
            return "";
        }
    }

    @Path("/x")
    public static final class PathWithoutMethod {
        @Path("/y")
        public String get() {
            return "";
        }
    }

    @Path("/x")
    public static final class PathTwice {
        @Get("/y")
        @Path("/z")
        public String get() {
            return "";
        }
    }

    @Path("/x")
    public static final class BadDefault {
        @Get
        public String get(@QueryParam(defaultValue = "ten") int limit) {
            return "";
        }
    }

    public static final class NoHandlers {
        public String notAHandler() {
            return "";
        }
    }

    @Test
    void annotatedPublicMethodsBecomeRoutesAndGetsAlsoAnswerHead() {
        List<Route> routes = binder.bind(new Orders());
        assertThat(routes).extracting(r -> r.method().text() + " " + r.path())
                .containsExactlyInAnyOrder("GET /orders/{id}", "POST /orders");
        assertThat(routes).extracting(Route::origin)
                .contains(EndpointBinderTest.class.getName() + "$Orders.get(String, int)");
        assertThat(EndpointBinder.withHeadRoutes(routes)).extracting(r -> r.method().text() + " " + r.path())
                .containsExactlyInAnyOrder("GET /orders/{id}", "HEAD /orders/{id}", "POST /orders");
    }

    @Test
    void twoBodies() {
        assertFailsNaming(new TwoBodies(), "TwoBodies.create(A, A)", "2 @Body parameters");
    }

    @Test
    void unknownPathVariable() {
        assertFailsNaming(new UnknownVariable(), "UnknownVariable.get(String)",
                "'other' is not a variable of path /x/{id}");
    }

    @Test
    void unsupportedParameterType() {
        assertFailsNaming(new UnsupportedType(), "UnsupportedType.get(Map)", "unsupported type java.util.Map");
    }

    @Test
    void parameterWithoutAnnotation() {
        assertFailsNaming(new Unannotated(), "Unannotated.get(String)", "has no binding annotation");
    }

    @Test
    void errorStatusOnSuccess() {
        assertFailsNaming(new ErrorStatus(), "ErrorStatus.get()", "@Status(404)");
    }

    @Test
    void nonPublicHandler() {
        assertFailsNaming(new NotPublic(), "NotPublic.get()", "not public");
    }

    @Test
    void staticHandler() {
        assertFailsNaming(new Static(), "Static.get()", "is static");
    }

    @Test
    void pathWithoutHttpMethod() {
        assertFailsNaming(new PathWithoutMethod(), "PathWithoutMethod.get()", "no HTTP method annotation");
    }

    @Test
    void pathSetTwice() {
        assertFailsNaming(new PathTwice(), "PathTwice.get()", "sets its path twice");
    }

    @Test
    void defaultValueThatDoesNotConvert() {
        assertFailsNaming(new BadDefault(), "BadDefault.get(int)", "defaultValue");
    }

    @Test
    void objectWithoutHandlers() {
        assertThatThrownBy(() -> binder.bind(new NoHandlers()))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining(NoHandlers.class.getName() + " has no public handler methods")
                .hasMessageContaining("Fix:");
    }

    @Test
    void duplicateRoutesNameBothDeclarations() {
        List<Route> routes = binder.bind(new SameRouteTwice());
        assertThatThrownBy(() -> EndpointBinder.checkDuplicates(routes))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("Duplicate route GET /x/{")
                .hasMessageContaining(EndpointBinderTest.class.getName() + "$SameRouteTwice.one(String)")
                .hasMessageContaining(EndpointBinderTest.class.getName() + "$SameRouteTwice.two(String)")
                .hasMessageContaining("Fix:");
    }

    @Test
    void duplicateRoutesAcrossObjects() {
        List<Route> routes = new ArrayList<>(binder.bind(new Orders()));
        routes.addAll(binder.bind(new Orders()));
        assertThatThrownBy(() -> EndpointBinder.checkDuplicates(routes))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("Duplicate route");
    }

    private void assertFailsNaming(Object endpoint, String method, String problem) {
        assertThatThrownBy(() -> binder.bind(endpoint))
                .isInstanceOf(BindingException.class)
                .hasMessageContaining(EndpointBinderTest.class.getName() + "$" + method)
                .hasMessageContaining(problem)
                .hasMessageContaining("Fix:");
    }
}
