package dev.chassis.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.helidon.webserver.http.Filter;

/** The sequence runs Chassis' filters as Helidon's chain would: in order, around the rest, stopping when one stops. */
class FilterSequenceTest {
    private final List<String> seen = new ArrayList<>();

    private Filter named(String name) {
        return (chain, req, res) -> {
            seen.add(name + " in");
            chain.proceed();
            seen.add(name + " out");
        };
    }

    @Test
    void filtersRunInOrderAroundTheRestOfTheChain() {
        new FilterSequence(List.of(named("a"), named("b"))).filter(() -> seen.add("rest"), null, null);
        assertThat(seen).containsExactly("a in", "b in", "rest", "b out", "a out");
    }

    @Test
    void aFilterThatDoesNotProceedStopsTheRequestThere() {
        Filter answers = (chain, req, res) -> seen.add("answered");
        new FilterSequence(List.of(named("a"), answers, named("c"))).filter(() -> seen.add("rest"), null, null);
        assertThat(seen).containsExactly("a in", "answered", "a out");
    }

    @Test
    void anExceptionReachesTheFiltersBeforeIt() {
        Filter refuses = (chain, req, res) -> {
            throw new IllegalStateException("shed");
        };
        Filter outer = (chain, req, res) -> {
            try {
                chain.proceed();
            } catch (IllegalStateException e) {
                seen.add("outer saw " + e.getMessage());
                throw e;
            }
        };
        assertThatThrownBy(() -> new FilterSequence(List.of(outer, refuses)).filter(() -> seen.add("rest"), null, null))
                .hasMessage("shed");
        assertThat(seen).containsExactly("outer saw shed");
    }

    @Test
    void proceedingTwiceIsRefused() {
        Filter twice = (chain, req, res) -> {
            chain.proceed();
            chain.proceed();
        };
        assertThatThrownBy(() -> new FilterSequence(List.of(twice)).filter(() -> seen.add("rest"), null, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
        assertThat(seen).containsExactly("rest");
    }
}
