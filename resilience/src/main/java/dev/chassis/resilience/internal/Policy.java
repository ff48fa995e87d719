package dev.chassis.resilience.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Optional;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.spi.CallSite;

/**
 * Reads one policy value for a call site: configuration first, then the annotation (on the method, else on
 * its class or interface), then the setting's default. Annotation values are checked with the same rules as
 * configuration, so a bad annotation fails start-up like a bad key. Not API.
 */
final class Policy {
    private final CallSite site;
    private final Config config;
    private final String prefix;
    private final String[] names;

    Policy(CallSite site, Config config) {
        this.site = site;
        this.config = config;
        if (site.kind() == CallSite.Kind.CLIENT) {
            this.prefix = PolicySettings.CLIENTS;
            this.names = new String[] {site.key()};
        } else {
            this.prefix = PolicySettings.HANDLERS;
            this.names = site.key().split("\\.", 2);
        }
    }

    String prefix() {
        return prefix;
    }

    /** The annotation on the method, else on its declaring type. */
    <A extends Annotation> Optional<A> annotation(Class<A> type) {
        Method m = site.method();
        A a = m.getAnnotation(type);
        return Optional.ofNullable(a != null ? a : m.getDeclaringClass().getAnnotation(type));
    }

    /** Whether any source (environment variables included) sets a key of this policy ({@code retry}...). */
    boolean configured(String policy) {
        return PolicySettings.of(policy, prefix).stream().anyMatch(s -> config.raw(s.resolve(names).key()).isPresent());
    }

    /** The annotation on the declaring type only (for policies a client target shares across its methods). */
    <A extends Annotation> Optional<A> typeAnnotation(Class<A> type) {
        return Optional.ofNullable(site.method().getDeclaringClass().getAnnotation(type));
    }

    /** A setting that is not per site (a default for every site). */
    <T> T global(Setting<T> setting) {
        return config.get(setting);
    }

    /** The concrete key of a setting for this site. */
    String key(Setting<?> setting) {
        return setting.resolve(names).key();
    }

    /** Configuration, else the annotation's value (checked), else the setting's default. */
    <T> T value(Setting<T> setting, Object annotationValue) {
        Setting<T> concrete = setting.resolve(names);
        if (config.raw(concrete.key()).isPresent()) {
            return config.get(concrete);
        }
        if (annotationValue != null) {
            String text = annotationValue instanceof Enum<?> e ? e.name() : String.valueOf(annotationValue);
            try {
                return setting.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BindingException(site.describe() + ": an annotation sets '" + text + "' for " + concrete.key()
                        + ", which is not allowed: expected " + setting.allowed()
                        + ". Fix: correct the annotation, or override it with " + concrete.key());
            }
        }
        return setting.defaultValue();
    }
}
