package dev.chassis.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.core.http.Get;
import dev.chassis.resilience.CircuitBreaker;
import dev.chassis.resilience.RateLimiter;
import dev.chassis.testing.TestService;

/** The call policies' answers (chassis-resilience) are in the document where a policy applies. */
class PolicyStatusesTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("limited").http(new Limited())
            .property("handlers.limited.configured.rate-limiter.limit", "5"));

    /** One handler per policy, one without. */
    public static final class Limited {
        @Get("/annotated")
        @RateLimiter(limit = 10)
        public String annotated() {
            return "a";
        }

        @Get("/configured")
        public String configured() {
            return "c";
        }

        @Get("/breaker")
        @CircuitBreaker
        public String breaker() {
            return "b";
        }

        @Get("/plain")
        public String plain() {
            return "p";
        }
    }

    static JsonNode responses(String path) {
        return service.client().get("/openapi").json().path("paths").path(path).path("get").path("responses");
    }

    @Test
    void aRateLimitAnswers429() {
        assertThat(responses("/annotated").has("429")).isTrue();
        assertThat(responses("/configured").has("429")).as("a limit set by configuration").isTrue();
        assertThat(responses("/plain").has("429")).isFalse();
        assertThat(responses("/breaker").has("429")).isFalse();
        assertThat(responses("/breaker").has("503")).isTrue();
        assertThat(service.client().get("/openapi").json().path("components").path("responses").path("Problem429")
                .path("headers").has("Retry-After")).isTrue();
    }
}
