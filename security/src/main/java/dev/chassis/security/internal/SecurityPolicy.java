package dev.chassis.security.internal;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.ConfigException;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.internal.shared.Names;
import dev.chassis.core.spi.AccessPolicy;
import dev.chassis.core.spi.CallSite;
import dev.chassis.security.Authenticated;
import dev.chassis.security.PermitAll;
import dev.chassis.security.RolesAllowed;
import dev.chassis.security.Scopes;
import dev.chassis.security.Workloads;

/**
 * Who may call each handler and RPC: {@code security.rpc.<service>.<method>.*} for an RPC, which replaces the
 * annotations; else the rule annotations of the method (or of a method it overrides or implements), else of the
 * class serving it (or of its nearest supertype that has some), else {@code security.default}.
 * Misuse stops start-up naming the method and the fix. Asked at start-up only. Not API.
 */
final class SecurityPolicy implements AccessPolicy {
    private final Config config;
    private final RuleSpec fallback;
    private final boolean tokens;
    private final boolean production;
    private final Set<String> rpcKeys = new HashSet<>();
    private final List<String> tokenless = new ArrayList<>();

    /**
     * @param config   the service's configuration
     * @param fallback the rule of what has no rule of its own ({@code security.default})
     * @param tokens     whether an issuer is configured (else rules needing a token refuse every call)
     * @param production whether the service runs in production mode (there, rules needing a token without an issuer
     *                   stop start-up)
     */
    SecurityPolicy(Config config, RuleSpec fallback, boolean tokens, boolean production) {
        this.config = config;
        this.fallback = fallback;
        this.tokens = tokens;
        this.production = production;
    }

    /** The handlers and RPCs whose rule needs a token while no issuer is configured: they refuse every call. */
    List<String> tokenless() {
        return List.copyOf(tokenless);
    }

    @Override
    public Rule forHandler(CallSite site) {
        Method m = site.method();
        return rule(checked(ruleOf(site.type(), m, Names.method(m)), Names.method(m)));
    }

    @Override
    public Requirement requirement(CallSite site) {
        return ruleOf(site.type(), site.method(), Names.method(site.method())).requirement();
    }

    @Override
    public Rule forRpc(String fullMethodName, Class<?> service, Method implementation) {
        String key = rpcKey(fullMethodName);
        rpcKeys.add(key);
        String where = "the RPC " + fullMethodName + (implementation == null ? "" : " (" + Names.method(implementation) + ")");
        RuleSpec configured = configured(key, fullMethodName);
        if (configured != null) {
            return rule(checked(configured, where));
        }
        return rule(checked(ruleOf(service, implementation, where), where));
    }

    /** {@code shop.Inventory/Reserve} → {@code shop-inventory.reserve}: the key under {@code security.rpc}. */
    static String rpcKey(String fullMethodName) {
        int slash = fullMethodName.indexOf('/');
        return Names.kebab(fullMethodName.substring(0, slash)) + "." + Names.kebab(fullMethodName.substring(slash + 1));
    }

    /** Configured rules naming no RPC of the service, for the check once everything is bound. */
    List<String> unknownRpcKeys() {
        List<String> problems = new ArrayList<>();
        for (String service : config.names("security.rpc")) {
            for (String method : config.names("security.rpc." + service)) {
                String key = service + "." + method;
                if (!rpcKeys.contains(key)) {
                    problems.add("security.rpc." + key + " names no gRPC method of this service."
                            + ConfigException.closest(key, rpcKeys).map(k -> " Did you mean security.rpc." + k + "?")
                            .orElse("") + " Methods: " + String.join(", ", new TreeSet<>(rpcKeys)));
                }
            }
        }
        return problems;
    }

    /**
     * The rule of method {@code m} (null: none of its own) as an instance of {@code type} serves it: the rule
     * annotations of the method, else of the nearest method it overrides or implements (superclasses first, then
     * interfaces: a handler declared on an annotated interface), else of {@code type}, else of the nearest supertype
     * that has some (a handler inherited from a base class takes the rule of the endpoint's own class), else
     * {@code security.default}. Annotations are read wherever a reader of the code would look for them.
     */
    private RuleSpec ruleOf(Class<?> type, Method m, String where) {
        if (m != null) {
            for (Method candidate : declarations(type, m)) {
                RuleSpec own = annotated(candidate, where);
                if (own != null) {
                    return own;
                }
            }
        }
        for (Class<?> c : supertypes(type)) {
            RuleSpec rule = annotated(c, "the class " + c.getName());
            if (rule != null) {
                return rule;
            }
        }
        return fallback;
    }

    /**
     * {@code m}, then the methods of {@code type}'s superclasses and interfaces it overrides or implements: same name
     * and number of parameters, each declared parameter type a supertype of {@code m}'s (a generic interface's
     * {@code create(T)} is {@code create(Object)} once erased, implemented as {@code create(Order)}).
     */
    private static List<Method> declarations(Class<?> type, Method m) {
        List<Method> found = new ArrayList<>(List.of(m));
        Class<?>[] params = m.getParameterTypes();
        for (Class<?> c : supertypes(type)) {
            if (c == m.getDeclaringClass()) {
                continue;
            }
            for (Method candidate : c.getDeclaredMethods()) {
                if (candidate.getName().equals(m.getName()) && !candidate.isSynthetic() && !candidate.isBridge()
                        && !Modifier.isPrivate(candidate.getModifiers()) && !Modifier.isStatic(candidate.getModifiers())
                        && accepts(candidate.getParameterTypes(), params)) {
                    found.add(candidate);
                }
            }
        }
        return found;
    }

    private static boolean accepts(Class<?>[] declared, Class<?>[] actual) {
        if (declared.length != actual.length) {
            return false;
        }
        for (int i = 0; i < declared.length; i++) {
            if (!declared[i].isAssignableFrom(actual[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code type}, its superclasses nearest first, then every interface they implement, nearest first. */
    private static List<Class<?>> supertypes(Class<?> type) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            classes.add(c);
        }
        Set<Class<?>> all = new LinkedHashSet<>(classes);
        Deque<Class<?>> interfaces = new ArrayDeque<>();
        classes.forEach(c -> interfaces.addAll(List.of(c.getInterfaces())));
        while (!interfaces.isEmpty()) {
            Class<?> i = interfaces.removeFirst();
            if (all.add(i)) {
                interfaces.addAll(List.of(i.getInterfaces()));
            }
        }
        return List.copyOf(all);
    }

    private RuleSpec configured(String key, String fullMethodName) {
        String[] names = key.split("\\.", 2);
        Boolean permit = config.find(SecuritySettings.RPC_PERMIT_ALL.resolve(names)).orElse(null);
        Boolean authenticated = config.find(SecuritySettings.RPC_AUTHENTICATED.resolve(names)).orElse(null);
        List<String> roles = config.find(SecuritySettings.RPC_ROLES.resolve(names)).orElse(null);
        List<String> scopes = config.find(SecuritySettings.RPC_SCOPES.resolve(names)).orElse(null);
        List<String> workloads = config.find(SecuritySettings.RPC_WORKLOADS.resolve(names)).orElse(null);
        if (permit == null && authenticated == null && roles == null && scopes == null && workloads == null) {
            return null;
        }
        String where = "security.rpc." + key + " (" + fullMethodName + ")";
        return spec(Boolean.TRUE.equals(permit), Boolean.TRUE.equals(authenticated), roles, scopes, workloads, where,
                "keys");
    }

    private static RuleSpec annotated(AnnotatedElement e, String where) {
        PermitAll permit = e.getAnnotation(PermitAll.class);
        Authenticated authenticated = e.getAnnotation(Authenticated.class);
        RolesAllowed roles = e.getAnnotation(RolesAllowed.class);
        Scopes scopes = e.getAnnotation(Scopes.class);
        Workloads workloads = e.getAnnotation(Workloads.class);
        if (permit == null && authenticated == null && roles == null && scopes == null && workloads == null) {
            return null;
        }
        return spec(permit != null, authenticated != null, roles == null ? null : List.of(roles.value()),
                scopes == null ? null : List.of(scopes.value()), workloads == null ? null : List.of(workloads.value()),
                where, "annotations");
    }

    private static RuleSpec spec(boolean permit, boolean authenticated, List<String> roles, List<String> scopes,
                                 List<String> workloads, String where, String what) {
        if (permit && (authenticated || roles != null || scopes != null || workloads != null)) {
            throw new BindingException(where + " both permits everyone and restricts callers. Fix: keep either the"
                    + " permit-all " + (what.equals("keys") ? "key" : "annotation") + " or the other " + what);
        }
        check(roles, "roles", where);
        check(scopes, "scopes", where);
        check(workloads, "workloads", where);
        if (workloads != null) {
            for (String w : workloads) {
                String bad = RuleSpec.badWorkload(w);
                if (bad != null) {
                    throw new BindingException(where + " names " + bad + " among its workloads. Fix: name a SPIFFE ID"
                            + " such as spiffe://example.org/ns/shop/sa/orders, a prefix of whole path segments such as"
                            + " spiffe://example.org/ns/shop/*, or a DNS name");
                }
            }
        }
        return new RuleSpec(permit, authenticated, set(roles), set(scopes), workloads == null ? List.of()
                : List.copyOf(workloads));
    }

    private static void check(List<String> values, String kind, String where) {
        if (values != null && (values.isEmpty() || values.stream().anyMatch(String::isBlank))) {
            throw new BindingException(where + " lists no " + kind + " (or a blank one). Fix: name at least one,"
                    + " or remove the rule");
        }
    }

    private static Set<String> set(List<String> values) {
        return values == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(values));
    }

    /**
     * A rule needing a token while no issuer is configured can never be met: in production mode that stops start-up;
     * in development the method refuses every call with 401 (fail closed) and start-up warns, so a project can carry
     * its rules before it has an identity provider.
     */
    private RuleSpec checked(RuleSpec spec, String where) {
        if (!tokens && spec.needsToken()) {
            String rule = spec == fallback ? " (security.default: authenticated)" : "";
            if (production) {
                throw new BindingException(where + rule + " needs a bearer token, but no token issuer is configured"
                        + " (production mode). Fix: set security.issuers.<name>.issuer and"
                        + " security.issuers.<name>.audience, or remove the rule");
            }
            tokenless.add(where + rule);
        }
        return spec;
    }

    private AccessPolicy.Rule rule(RuleSpec spec) {
        return !tokens && spec.needsToken() ? RuleSpec.NO_ISSUER : spec.toRule();
    }
}
