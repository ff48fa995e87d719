package dev.chassis.tests.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.http.Body;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;
import dev.chassis.core.http.Post;
import dev.chassis.core.http.QueryParam;
import dev.chassis.core.http.Status;

/** Annotation misuse stops start-up with a message naming the class, the method and the fix. */
class BindingErrorsTest {
    public record A(String a) {
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
    public static final class TwoMethods {
        @Get
        @Post
        public String get() {
            return "";
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
    public static final class BadTemplate {
        @Get("/{a b}")
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
    void twoBodies() {
        assertFailsNaming(new TwoBodies(), "TwoBodies.create(A, A)", "2 @Body parameters");
    }

    @Test
    void unknownPathVariable() {
        assertFailsNaming(new UnknownVariable(), "UnknownVariable.get(String)", "'other' is not a variable of path /x/{id}");
    }

    @Test
    void unsupportedParameterType() {
        assertFailsNaming(new UnsupportedType(), "UnsupportedType.get(Map)", "unsupported type java.util.Map");
    }

    @Test
    void duplicateRoute() {
        assertFailsNaming(new SameRouteTwice(), "SameRouteTwice.one(String)", "Duplicate route GET /x/{");
    }

    @Test
    void duplicateRouteAcrossClasses() {
        assertThatThrownBy(() -> Chassis.service("bad").property("server.port", "0")
                .http(new KitchenSinkApi(), new KitchenSinkApi()).start())
                .isInstanceOf(BindingException.class)
                .hasMessageContaining("Duplicate route")
                .hasMessageContaining("Fix:");
    }

    @Test
    void parameterWithoutAnnotation() {
        assertFailsNaming(new Unannotated(), "Unannotated.get(String)", "has no binding annotation");
    }

    @Test
    void twoHttpMethodAnnotations() {
        assertFailsNaming(new TwoMethods(), "TwoMethods.get()", "more than one HTTP method annotation");
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
    void invalidPathTemplate() {
        assertFailsNaming(new BadTemplate(), "BadTemplate.get()", "invalid path");
    }

    @Test
    void defaultValueThatDoesNotConvert() {
        assertFailsNaming(new BadDefault(), "BadDefault.get(int)", "defaultValue");
    }

    @Test
    void objectWithoutHandlers() {
        assertThatThrownBy(() -> Chassis.service("bad").property("server.port", "0").http(new NoHandlers()).start())
                .isInstanceOf(BindingException.class)
                .hasMessageContaining(NoHandlers.class.getName())
                .hasMessageContaining("Fix:");
    }

    private static void assertFailsNaming(Object endpoint, String method, String problem) {
        assertThatThrownBy(() -> Chassis.service("bad").property("server.port", "0").http(endpoint).start())
                .isInstanceOf(BindingException.class)
                .hasMessageContaining(BindingErrorsTest.class.getName() + "$" + method)
                .hasMessageContaining(problem)
                .hasMessageContaining("Fix:");
    }
}
