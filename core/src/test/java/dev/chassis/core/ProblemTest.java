package dev.chassis.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

class ProblemTest {
    @Test
    void titleDefaultsToTheReasonPhrase() {
        assertThat(Problem.notFound("x").title()).isEqualTo("Not Found");
        assertThat(Problem.builder(431).build().title()).isEqualTo("Request Header Fields Too Large");
    }

    @Test
    void statusMustBeAnError() {
        assertThatThrownBy(() -> Problem.builder(200)).hasMessage("status must be between 400 and 599, but was 200");
    }

    @Test
    void extensionsMayNotShadowStandardMembers() {
        assertThatThrownBy(() -> Problem.builder(400).extension("status", 1))
                .hasMessage("extension name must not be a standard member, but was status");
    }

    @Test
    void carriesNoStackTrace() {
        assertThat(Problem.badRequest("x").getStackTrace()).isEmpty();
    }

    @Test
    void toBuilderKeepsEverything() {
        Problem p = Problem.builder(409).type(URI.create("https://errors.example/locked")).title("Locked").detail("d")
                .error("f", "m").extension("k", "v").header("Retry-After", "5").build();
        Problem copy = p.toBuilder().build();
        assertThat(copy.type()).isEqualTo(p.type());
        assertThat(copy.errors()).isEqualTo(p.errors());
        assertThat(copy.extensions()).isEqualTo(p.extensions());
        assertThat(copy.headers()).isEqualTo(p.headers());
    }

    @Test
    void unavailableSetsRetryAfter() {
        assertThat(Problem.unavailable("busy", 3).headers()).containsEntry("Retry-After", "3");
    }
}
