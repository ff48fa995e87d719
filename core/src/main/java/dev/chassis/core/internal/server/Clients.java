package dev.chassis.core.internal.server;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import dev.chassis.core.Json;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.internal.http.client.ClientBinder;
import dev.chassis.core.internal.http.client.ClientTarget;
import dev.chassis.core.internal.telemetry.Telemetry;
import dev.chassis.core.internal.tls.TargetTls;
import dev.chassis.core.internal.tls.TlsBundles;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.TargetResolver;

/** Binds the clients created on a service builder, at start. Not API. */
final class Clients {
    private Clients() {
    }

    /** The instances of a target: the extensions' resolvers first, then {@code clients.<target>.url}. */
    static Function<String, List<URI>> resolver(Config config, List<TargetResolver> resolvers) {
        return name -> {
            for (TargetResolver r : resolvers) {
                Optional<List<URI>> found = r.resolve(name);
                if (found.isPresent() && !found.get().isEmpty()) {
                    return found.get();
                }
            }
            return config.find(CoreSettings.CLIENT_URL.resolve(name)).orElse(List.of());
        };
    }

    /**
     * Whether anything knows the target: its {@code clients.<target>.url}, or a resolver that answers for it
     * (perhaps with no instance yet: discovery may see them arrive later).
     */
    static boolean known(String name, Config config, List<TargetResolver> resolvers) {
        return config.find(CoreSettings.CLIENT_URL.resolve(name)).isPresent()
                || resolvers.stream().anyMatch(r -> r.resolve(name).isPresent());
    }

    /**
     * What is missing for a target nothing knows, and the fix: a misspelt {@code clients.<other>} block, the
     * {@code url} key, or — with discovery — the registry's entry.
     */
    static String nowhere(String name, Config config, List<TargetResolver> resolvers) {
        String missing = "clients." + name + ".url is not set" + (resolvers.isEmpty()
                ? " and no discovery is configured"
                : " and no resolver (discovery) knows '" + name + "'");
        Set<String> others = new TreeSet<>(config.names("clients"));
        others.remove(name);
        Optional<String> typo = ConfigException.closest(name, others);
        if (typo.isPresent()) {
            return missing + ". Fix: the configuration has clients." + typo.get() + ": if it means '" + name
                    + "', rename it to clients." + name;
        }
        return missing + ". Fix: set clients." + name + ".url (e.g. http://localhost:8081)" + (resolvers.isEmpty()
                ? ", or configure discovery"
                : ", or have '" + name + "' registered where discovery looks");
    }

    /** Binds the clients; returns their targets, to close when the service stops. */
    static List<ClientTarget> bind(List<ServiceSpec.PendingClient> pending, Config config, List<TargetResolver> resolvers,
                                   List<CallDecorator> decorators, Telemetry telemetry, TlsBundles tls) {
        if (pending.isEmpty()) {
            return List.of();
        }
        ClientBinder binder = new ClientBinder(Json.mapper(), decorators);
        Map<String, ClientTarget> targets = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ServiceSpec.PendingClient p : pending) {
            ClientTarget target = targets.computeIfAbsent(p.target(), name -> {
                Optional<List<URI>> configured = config.find(CoreSettings.CLIENT_URL.resolve(name));
                if (!known(name, config, resolvers)) {
                    problems.add("client " + p.pending().type().getName() + " calls '" + name + "', but "
                            + nowhere(name, config, resolvers));
                }
                List<URI> fixed = configured.orElse(List.of());
                Function<String, List<URI>> resolve = n -> {
                    for (TargetResolver r : resolvers) {
                        Optional<List<URI>> found = r.resolve(n);
                        if (found.isPresent() && !found.get().isEmpty()) {
                            return found.get();
                        }
                    }
                    return fixed;
                };
                return new ClientTarget(name, resolve, config.get(CoreSettings.CLIENT_CONNECT_TIMEOUT.resolve(name)),
                        config.get(CoreSettings.CLIENT_REQUEST_TIMEOUT.resolve(name)), telemetry,
                        CoreSettings.balancing(config, name), TargetTls.of(config, tls, name).orElse(null));
            });
            p.pending().bind(binder, target);
        }
        if (!problems.isEmpty()) {
            targets.values().forEach(ClientTarget::close);
            throw new ConfigException(problems);
        }
        return List.copyOf(targets.values());
    }
}
