package dev.chassis.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigurablePropagatorProvider;
import io.opentelemetry.sdk.autoconfigure.spi.ResourceProvider;

/** The SDK finds what ServiceLoader finds, without the random instance id provider Chassis turns off anyway. */
class SdkComponentsTest {
    private final SdkComponents components = new SdkComponents(SdkComponentsTest.class.getClassLoader());

    @Test
    void resourceProvidersAreThoseOnTheClassPathButTheRandomInstanceId() {
        List<String> all = ServiceLoader.load(ResourceProvider.class).stream().map(p -> p.type().getName()).toList();
        assertThat(all).contains(SdkComponents.RANDOM_INSTANCE_ID); // what the class path lists: the filter has work

        List<String> found = names(components.load(ResourceProvider.class));
        assertThat(found).doesNotContain(SdkComponents.RANDOM_INSTANCE_ID)
                .contains("io.opentelemetry.sdk.autoconfigure.EnvironmentResourceProvider")
                .hasSize(all.size() - 1);
    }

    @Test
    void otherExtensionPointsAreLoadedAsServiceLoaderLoadsThem() {
        List<String> expected = ServiceLoader.load(ConfigurablePropagatorProvider.class).stream()
                .map(p -> p.type().getName()).toList();
        assertThat(expected).isNotEmpty(); // B3 and Jaeger from opentelemetry-extension-trace-propagators
        assertThat(names(components.load(ConfigurablePropagatorProvider.class))).containsExactlyElementsOf(expected);
    }

    private static <T> List<String> names(Iterable<T> loaded) {
        List<String> names = new ArrayList<>();
        loaded.forEach(o -> names.add(o.getClass().getName()));
        return names;
    }
}
