package dev.chassis.tests.ext;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Caller;
import dev.chassis.core.Chassis;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.resilience.TimeLimit;
import dev.chassis.testing.TestResponse;
import dev.chassis.testing.TestService;
import io.grpc.Context;
import io.opentelemetry.api.trace.Span;

/**
 * A handler under {@code @TimeLimit} runs on a thread of the time limit's; what it runs with goes with it: the
 * request's caller, deadline and trace. Before, it ran as an anonymous caller, without a deadline (its outgoing
 * calls unbounded), in a trace of its own.
 */
class TimeLimitContextTest {
    /** Says what it runs with. */
    @Path("/limited")
    public static final class Limited {
        @Get
        @TimeLimit("5s")
        public String limited() {
            return Caller.current().subject().orElse("anonymous") + " "
                    + (Context.current().getDeadline() == null ? "no-deadline" : "deadline") + " "
                    + Span.current().getSpanContext().getTraceId();
        }
    }

    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("limited").http(new Limited())
            .property("test-auth.enabled", "true"));

    @Test
    void theCallerDeadlineAndTraceGoWithTheHandler() {
        TestResponse r = service.client().get("/limited", "X-Test-Subject", "alice",
                "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("\"alice deadline 4bf92f3577b34da6a3ce929d0e0e4736\"");
    }
}
