package dev.chassis.core.internal.tls;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;

/**
 * Every bundle configured under {@code tls.bundles}, read and checked at start-up, and the one poller that reloads
 * them when their files change. Not API.
 */
public final class TlsBundles implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TlsBundles.class.getName());

    private final Map<String, TlsBundle> bundles;
    private ScheduledExecutorService poller;

    private TlsBundles(Map<String, TlsBundle> bundles) {
        this.bundles = bundles;
    }

    /**
     * Reads every configured bundle and checks that the names other settings give exist.
     *
     * @throws ConfigException listing every bundle that cannot be used, with its file and reason
     */
    public static TlsBundles load(Config config) {
        Map<String, TlsBundle> bundles = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String name : config.names("tls.bundles")) {
            try {
                bundles.put(name, TlsBundle.load(BundleSpec.of(config, name)));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        config.find(TlsSettings.SERVER_BUNDLE).ifPresent(name -> {
            TlsBundle bundle = bundles.get(name);
            if (bundle == null && !problems.stream().anyMatch(p -> p.contains("'" + name + "'")
                    || p.contains("tls.bundles." + name + "."))) {
                problems.add("server.tls.bundle = '" + name + "' (from " + config.sourceOf(TlsSettings.SERVER_BUNDLE.key())
                        .orElse("configuration") + ") names no bundle under tls.bundles" + (bundles.isEmpty() ? ""
                        : ConfigException.didYouMean(name, bundles.keySet()) + " Bundles: "
                        + String.join(", ", bundles.keySet())));
            } else if (bundle != null && !bundle.hasKey()) {
                problems.add("server.tls.bundle = '" + name + "' has no key to serve with: set tls.bundles." + name
                        + ".certificate and private-key, or keystore and keystore-password");
            } else if (bundle != null && config.get(TlsSettings.SERVER_CLIENT_AUTH) != TlsSettings.ClientAuth.NONE
                    && !bundle.hasTrust()) {
                problems.add("server.tls.client-auth = " + config.raw(TlsSettings.SERVER_CLIENT_AUTH.key()).orElse("")
                        + " needs the CAs client certificates must chain to: set tls.bundles." + name + ".trust");
            }
        });
        if (config.find(TlsSettings.SERVER_BUNDLE).isEmpty()
                && config.get(TlsSettings.SERVER_CLIENT_AUTH) != TlsSettings.ClientAuth.NONE) {
            problems.add("server.tls.client-auth is set but server.tls.bundle is not: name the bundle the port serves"
                    + " TLS with");
        }
        for (String client : config.names("clients")) {
            checkClient(config, client, bundles, problems);
        }
        config.find(TlsSettings.MANAGEMENT_BUNDLE).ifPresent(name -> {
            TlsBundle bundle = bundles.get(name);
            if (bundle == null && !problems.stream().anyMatch(p -> p.contains("tls.bundles." + name + "."))) {
                problems.add("management.tls.bundle = '" + name + "' (from " + config.sourceOf(
                        TlsSettings.MANAGEMENT_BUNDLE.key()).orElse("configuration") + ") names no bundle under"
                        + " tls.bundles" + (bundles.isEmpty() ? "" : ConfigException.didYouMean(name, bundles.keySet())
                        + " Bundles: " + String.join(", ", bundles.keySet())));
            } else if (bundle != null && !bundle.hasKey()) {
                problems.add("management.tls.bundle = '" + name + "' has no key to serve with: set tls.bundles." + name
                        + ".certificate and private-key, or keystore and keystore-password");
            } else if (bundle != null && config.get(TlsSettings.MANAGEMENT_CLIENT_AUTH) != TlsSettings.ClientAuth.NONE
                    && !bundle.hasTrust()) {
                problems.add("management.tls.client-auth = " + config.raw(TlsSettings.MANAGEMENT_CLIENT_AUTH.key())
                        .orElse("") + " needs the CAs client certificates must chain to: set tls.bundles." + name
                        + ".trust");
            }
        });
        if (config.find(TlsSettings.MANAGEMENT_BUNDLE).isEmpty()
                && config.get(TlsSettings.MANAGEMENT_CLIENT_AUTH) != TlsSettings.ClientAuth.NONE) {
            problems.add("management.tls.client-auth is set but management.tls.bundle is not: name the bundle the"
                    + " management port serves TLS with");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new TlsBundles(bundles);
    }

    /** A client's {@code tls.bundle} names a bundle; an expected identity has a bundle; its URLs are https. */
    private static void checkClient(Config config, String client, Map<String, TlsBundle> bundles,
                                    List<String> problems) {
        Setting<String> bundleKey = TlsSettings.CLIENT_BUNDLE.resolve(client);
        Optional<String> name = config.find(bundleKey);
        Setting<String> identityKey = TlsSettings.CLIENT_EXPECTED_IDENTITY.resolve(client);
        if (name.isEmpty()) {
            if (config.find(identityKey).isPresent()) {
                problems.add(identityKey.key() + " is set but " + bundleKey.key() + " is not: name the bundle the"
                        + " client verifies the target's certificate with");
            }
            return;
        }
        if (!bundles.containsKey(name.get())) {
            if (problems.stream().noneMatch(p -> p.contains("'" + name.get() + "'")
                    || p.contains("tls.bundles." + name.get() + "."))) {
                problems.add(bundleKey.key() + " = '" + name.get() + "' names no bundle under tls.bundles"
                        + (bundles.isEmpty() ? "" : ConfigException.didYouMean(name.get(), bundles.keySet())
                        + " Bundles: " + String.join(", ", bundles.keySet())));
            }
            return;
        }
        config.find(identityKey).filter(id -> id.isBlank() || id.contains(" ")).ifPresent(id -> problems.add(
                identityKey.key() + " = '" + id + "' is not an identity: give a spiffe:// ID or a DNS name"));
        Setting<List<URI>> urls = Setting.uriList("clients." + client + ".url");
        config.find(urls).orElse(List.of()).stream().filter(u -> !"https".equals(u.getScheme())).findFirst()
                .ifPresent(u -> problems.add("clients." + client + ".url has " + u + ", but " + bundleKey.key()
                        + " is set: a client with a TLS bundle calls https:// URLs only (plaintext would send its"
                        + " calls unprotected)"));
    }

    /** The bundle of that name, if configured. */
    public Optional<TlsBundle> find(String name) {
        return Optional.ofNullable(bundles.get(name));
    }

    /**
     * The bundle {@code setting} names; empty when the setting is unset.
     *
     * @throws ConfigException when it names no bundle: the setting, its value and source, and the bundles there are
     */
    public Optional<TlsBundle> named(Config config, Setting<String> setting) {
        Optional<String> name = config.find(setting);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        TlsBundle bundle = bundles.get(name.get());
        if (bundle == null) {
            throw new ConfigException(List.of(setting.key() + " = '" + name.get() + "' (from "
                    + config.sourceOf(setting.key()).orElse("configuration") + ") names no bundle under tls.bundles"
                    + (bundles.isEmpty() ? ": declare it as tls.bundles." + name.get() + ".*"
                    : ConfigException.didYouMean(name.get(), bundles.keySet()) + " Bundles: "
                    + String.join(", ", bundles.keySet()))));
        }
        return Optional.of(bundle);
    }

    /** Starts polling the bundles' files for changes, each at its reload interval. */
    public synchronized void startReloading() {
        if (poller != null || bundles.values().stream().allMatch(b -> b.reloadInterval().isZero())) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chassis-tls-reload");
            t.setDaemon(true);
            return t;
        });
        for (TlsBundle b : bundles.values()) {
            long ms = b.reloadInterval().toMillis();
            if (ms > 0) {
                poller.scheduleWithFixedDelay(() -> {
                    try {
                        b.reloadIfChanged();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "TLS bundle '" + b.name() + "' could not be checked for changes", e);
                    }
                }, ms, ms, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Stops polling. */
    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }
}
