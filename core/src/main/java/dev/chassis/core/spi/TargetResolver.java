package dev.chassis.core.spi;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Finds the instances of a logical target ({@code inventory} → {@code http://10.0.0.7:8080}, ...).
 * Chassis asks the resolvers registered by extensions first, in order, then static configuration
 * ({@code clients.<name>.url}). Called per call: implementations cache and must be fast and thread-safe.
 */
@FunctionalInterface
public interface TargetResolver {
    /**
     * The instances' base URIs; an empty list when the target is known but has no instance now (start-up
     * goes on, calls fail as unreachable until one appears); {@code Optional.empty()} when this resolver
     * does not know the target (a target nothing knows fails start-up).
     */
    Optional<List<URI>> resolve(String target);
}
