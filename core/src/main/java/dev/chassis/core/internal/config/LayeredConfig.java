package dev.chassis.core.internal.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.config.Setting;

/**
 * {@link Config} over an ordered list of sources (lowest precedence first) plus the environment.
 * Not API: use {@link Config}.
 */
public final class LayeredConfig implements Config {
    /** A source of flat dotted keys. */
    public record Source(String name, Map<String, String> values) {
    }

    /**
     * Environment variables that look like Chassis keys (they start with a declared key's first segment) but belong to
     * something else: exact names, or prefixes ending in {@code *}. Added to {@link #FOREIGN_ENVIRONMENT}.
     */
    public static final Setting<List<String>> IGNORE_ENVIRONMENT = Setting.list("chassis.ignore-env", List.of())
            .describedAs("environment variables that start like a Chassis key (SERVER_, GRPC_, MESSAGING_...) but belong"
                    + " to something else, so start-up does not refuse them as typos: names, or prefixes ending in *"
                    + " (SERVER_SOFTWARE, LEGACY_*)");
    /**
     * Variables known to belong to other software although they share a Chassis prefix: the gRPC libraries' own
     * settings. Kubernetes' service links ({@code <NAME>_SERVICE_HOST}...) are recognised by their form.
     */
    static final List<String> FOREIGN_ENVIRONMENT = List.of("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "GRPC_TRACE",
            "GRPC_VERBOSITY", "GRPC_POLL_STRATEGY", "GRPC_DNS_*", "GRPC_EXPERIMENTAL_*", "GRPC_GO_*", "GRPC_XDS_*",
            "GRPC_ENABLE_*");
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)");
    private static final Pattern SERVICE_LINK_URL = Pattern.compile("(tcp|udp|sctp)://.*");

    private final List<Source> sources;          // lowest precedence first, environment excluded
    private final Map<String, String> environment;
    private final int environmentPosition;       // sources at or after this index beat the environment
    private final String profile;
    private volatile List<Setting<?>> declared = List.of();

    public LayeredConfig(List<Source> belowEnvironment, Map<String, String> environment, List<Source> aboveEnvironment,
                         String profile) {
        List<Source> all = new ArrayList<>(belowEnvironment);
        this.environmentPosition = all.size();
        all.addAll(aboveEnvironment);
        this.sources = List.copyOf(all);
        this.environment = Map.copyOf(environment);
        this.profile = profile;
    }

    @Override
    public <T> T get(Setting<T> setting) {
        return find(setting).orElse(null);
    }

    @Override
    public <T> Optional<T> find(Setting<T> setting) {
        Optional<Value> value = lookup(setting.key());
        if (value.isEmpty()) {
            return Optional.ofNullable(setting.defaultValue());
        }
        Value v = value.get();
        try {
            return Optional.ofNullable(setting.parse(v.raw()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(describe(setting, v)));
        }
    }

    @Override
    public Optional<String> raw(String key) {
        return lookup(key).map(Value::raw);
    }

    @Override
    public Optional<String> sourceOf(String key) {
        return lookup(key).map(Value::source);
    }

    @Override
    public Set<String> names(String prefix) {
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        Set<String> names = new TreeSet<>();
        for (Source s : sources) {
            for (String key : s.values().keySet()) {
                if (key.startsWith(p)) {
                    String rest = key.substring(p.length());
                    int dot = rest.indexOf('.');
                    names.add(dot < 0 ? rest : rest.substring(0, dot));
                }
            }
        }
        return names;
    }

    @Override
    public Optional<String> profile() {
        return Optional.ofNullable(profile);
    }

    /** The settings given to {@link #validate}, in order; empty before. */
    public List<Setting<?>> declared() {
        return declared;
    }

    /**
     * Checks every declared setting and reports unknown keys under the declared prefixes, all at once.
     *
     * @throws ConfigException listing every problem
     */
    public void validate(Collection<Setting<?>> declared) {
        this.declared = List.copyOf(declared);
        List<String> problems = new ArrayList<>();
        for (Setting<?> setting : declared) {
            if (setting.key().contains("*")) {
                continue; // checked below, for each concrete key that matches
            }
            lookup(setting.key()).ifPresent(v -> check(setting, v, problems));
        }
        Set<String> prefixes = new TreeSet<>();
        declared.forEach(s -> prefixes.add(s.key().substring(0, s.key().indexOf('.') < 0 ? s.key().length() : s.key().indexOf('.'))));
        for (Source source : sources) {
            for (String key : source.values().keySet()) {
                String top = key.indexOf('.') < 0 ? key : key.substring(0, key.indexOf('.'));
                if (!prefixes.contains(top)) {
                    continue;
                }
                Optional<Setting<?>> match = declared.stream().filter(s -> s.matches(key)).findFirst();
                if (match.isEmpty()) {
                    problems.add(unknownKey(key, source, declared));
                } else if (match.get().key().contains("*")) {
                    Value winner = lookup(key).orElseThrow();
                    if (winner.source().equals(source.name())) {
                        check(match.get(), winner, problems);
                    }
                }
            }
        }
        checkEnvironment(declared, prefixes, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * Environment variables named like a declared key's first segment ({@code SERVER_}, {@code GRPC_}...) that no
     * declared setting reads: a typo of a key, unless ignored (see {@link #IGNORE_ENVIRONMENT}).
     */
    private void checkEnvironment(Collection<Setting<?>> declared, Set<String> tops, List<String> problems) {
        List<String> envPrefixes = tops.stream().map(t -> Setting.environmentName(t) + "_").toList();
        List<Pattern> names = declared.stream().map(s -> environmentPattern(s.key())).toList();
        List<String> ignored = new ArrayList<>(FOREIGN_ENVIRONMENT);
        ignored.addAll(find(IGNORE_ENVIRONMENT).orElse(List.of()));
        for (String name : new TreeSet<>(environment.keySet())) {
            if (envPrefixes.stream().noneMatch(name::startsWith) || names.stream().anyMatch(p -> p.matcher(name).matches())
                    || ignored.stream().anyMatch(i -> i.endsWith("*") ? name.startsWith(i.substring(0, i.length() - 1))
                            : name.equals(i))
                    || SERVICE_LINK.matcher(name).matches()
                    || name.endsWith("_PORT") && SERVICE_LINK_URL.matcher(environment.get(name)).matches()) {
                continue;
            }
            problems.add(unknownVariable(name, declared));
        }
    }

    private static String unknownVariable(String name, Collection<Setting<?>> declared) {
        Map<String, String> candidates = new LinkedHashMap<>(); // environment name -> key
        for (Setting<?> s : declared) {
            String[] parts = s.key().split("\\*", -1);
            if (parts.length == 1) {
                candidates.put(Setting.environmentName(s.key()), s.key());
            } else if (parts.length == 2 && name.startsWith(Setting.environmentName(parts[0]))) {
                // clients.*.request-timeout is CLIENTS_CATALOG_REQUEST_TIMEOUT for CLIENTS_CATALOG_REQUEST_TIMOUT:
                // the name's segment is not known, so each way to cut the rest at an underscore is a candidate
                String rest = name.substring(Setting.environmentName(parts[0]).length());
                for (int i = rest.indexOf('_'); i > 0; i = rest.indexOf('_', i + 1)) {
                    String segment = rest.substring(0, i);
                    candidates.putIfAbsent(Setting.environmentName(parts[0]) + segment + Setting.environmentName(parts[1]),
                            parts[0] + segment.toLowerCase(Locale.ROOT) + parts[1]);
                }
            }
        }
        String hint = ConfigException.closest(name, candidates.keySet())
                .map(c -> " Did you mean " + c + " (" + candidates.get(c) + ")?").orElse("");
        return "unknown environment variable " + name + ": it is named like a Chassis key but no declared setting reads it."
                + hint + " If it belongs to something else, list it in " + IGNORE_ENVIRONMENT.key()
                + " (see docs/configuration.md)";
    }

    /** The environment names a key stands for: {@code clients.*.url} is {@code CLIENTS_<anything>_URL}. */
    private static Pattern environmentPattern(String key) {
        String[] parts = key.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("[A-Z0-9_]+");
            }
            if (!parts[i].isEmpty()) {
                regex.append(Pattern.quote(Setting.environmentName(parts[i])));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static void check(Setting<?> setting, Value v, List<String> problems) {
        try {
            setting.parse(v.raw());
        } catch (IllegalArgumentException e) {
            problems.add(describe(setting, v));
        }
    }

    private static String describe(Setting<?> setting, Value v) {
        return v.key() + " = '" + setting.shown(v.raw()) + "' (from " + v.source() + ") is not allowed: expected " + setting.allowed();
    }

    private static String unknownKey(String key, Source source, Collection<Setting<?>> declared) {
        // a pattern is compared as the key it would be with the given names: clients.*.request-timeout is
        // clients.catalog.request-timeout for clients.catalog.request-timout
        List<String> candidates = declared.stream().map(s -> instantiate(s.key(), key)).distinct().toList();
        String hint = ConfigException.didYouMean(key, candidates);
        String top = key.indexOf('.') < 0 ? key : key.substring(0, key.indexOf('.'));
        List<String> known = declared.stream().map(Setting::key).filter(k -> k.startsWith(top + ".") || k.equals(top)).sorted().toList();
        return "unknown key " + key + " (from " + source.name() + ")." + hint + " Known keys under '" + top + "': "
                + String.join(", ", known);
    }

    /** {@code pattern} with each {@code *} replaced by the segment of {@code key} at the same place. */
    private static String instantiate(String pattern, String key) {
        if (!pattern.contains("*")) {
            return pattern;
        }
        String[] p = pattern.split("\\.");
        String[] k = key.split("\\.");
        for (int i = 0; i < p.length && i < k.length; i++) {
            if (p[i].equals("*")) {
                p[i] = k[i];
            }
        }
        return String.join(".", p);
    }

    private Optional<Value> lookup(String key) {
        for (int i = sources.size() - 1; i >= 0; i--) {
            if (i == environmentPosition - 1) {
                Optional<Value> env = fromEnvironment(key);
                if (env.isPresent()) {
                    return env;
                }
            }
            Source s = sources.get(i);
            String v = s.values().get(key);
            if (v != null) {
                return Optional.of(new Value(key, v, s.name()));
            }
        }
        if (environmentPosition == 0) {
            return fromEnvironment(key);
        }
        return Optional.empty();
    }

    private Optional<Value> fromEnvironment(String key) {
        String name = Setting.environmentName(key);
        String v = environment.get(name);
        return v == null ? Optional.empty() : Optional.of(new Value(key, v, "environment variable " + name));
    }

    private record Value(String key, String raw, String source) {
    }
}
