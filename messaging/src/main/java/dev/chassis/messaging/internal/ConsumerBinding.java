package dev.chassis.messaging.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.http.BindingException;
import dev.chassis.core.internal.shared.Names;
import dev.chassis.messaging.Consume;
import dev.chassis.messaging.Message;

/**
 * One {@code @Consume} method, checked and bound once at start-up: its topic and group, how to call it, the
 * event type to read, and its delivery policy (annotation, overridden by {@code consumers.<key>.*}); {@code timeout}
 * is null when handling a message has no time limit. Not API.
 */
record ConsumerBinding(String key, String topic, String group, Method method, MethodHandle invoker, JavaType eventType,
                       int eventIndex, int messageIndex, int parameters, int maxAttempts, Duration backoff,
                       Duration maxBackoff, int concurrency, Set<String> allowedSources, Duration timeout) {
    /** Kafka's topic and group name rules: what both bindings accept. */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    String describe() {
        return method.getDeclaringClass().getName() + "." + method.getName() + " (@Consume topic " + topic + ", group "
                + group + ")";
    }

    /** Binds every {@code @Consume} method of the handlers; every misuse is reported at once. */
    static List<ConsumerBinding> bind(List<Object> handlers, Config config, ObjectMapper mapper) {
        List<ConsumerBinding> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (Object handler : handlers) {
            int found = 0;
            for (Method m : handler.getClass().getMethods()) {
                Consume c = m.getAnnotation(Consume.class);
                if (c == null) {
                    continue;
                }
                found++;
                try {
                    ConsumerBinding b = bind(handler, m, c, config, mapper);
                    String previous = seen.putIfAbsent(b.topic() + " " + b.group(), b.describe());
                    if (previous != null) {
                        problems.add(b.describe() + ": " + previous + " already consumes that topic in that group, so"
                                + " each would get only some of its messages. Fix: one handler per topic and group");
                    } else {
                        out.add(b);
                    }
                } catch (BindingException e) {
                    problems.add(e.getMessage());
                }
            }
            for (Method m : handler.getClass().getDeclaredMethods()) {
                if (m.isAnnotationPresent(Consume.class) && !Modifier.isPublic(m.getModifiers())) {
                    problems.add(handler.getClass().getName() + "." + m.getName() + " has @Consume but is not public."
                            + " Fix: make it public");
                    found++;
                }
            }
            if (found == 0) {
                problems.add(handler.getClass().getName() + " was given to consume(...) but has no @Consume method."
                        + " Fix: annotate its handler methods with @Consume(topic = ..., group = ...)");
            }
        }
        if (!problems.isEmpty()) {
            throw new BindingException(String.join("\n", problems));
        }
        return out;
    }

    private static ConsumerBinding bind(Object handler, Method m, Consume c, Config config, ObjectMapper mapper) {
        String where = handler.getClass().getName() + "." + m.getName();
        if (Modifier.isStatic(m.getModifiers())) {
            throw new BindingException(where + " is static. Fix: make @Consume methods instance methods");
        }
        if (!NAME.matcher(c.topic()).matches()) {
            throw new BindingException(where + ": topic '" + c.topic() + "' is not a topic name (letters, digits, '.',"
                    + " '_', '-'; at most 249). Fix: name it <domain>.<event-in-past-tense>, e.g. orders.placed");
        }
        if (!NAME.matcher(c.group()).matches()) {
            throw new BindingException(where + ": group '" + c.group() + "' is not a group name (letters, digits, '.',"
                    + " '_', '-'). Fix: use the consuming service's name");
        }
        if (m.getReturnType() != void.class) {
            throw new BindingException(where + " returns " + m.getReturnType().getSimpleName() + ", which nobody would"
                    + " read. Fix: make it void");
        }
        Type[] params = m.getGenericParameterTypes();
        int eventIndex = -1;
        int messageIndex = -1;
        JavaType eventType = null;
        for (int i = 0; i < params.length; i++) {
            Class<?> raw = m.getParameterTypes()[i];
            if (raw == Message.class) {
                if (messageIndex >= 0) {
                    throw new BindingException(where + " takes two Message parameters. Fix: take one");
                }
                messageIndex = i;
                JavaType t = messageData(params[i], mapper);
                if (t != null) {
                    eventType = eventType == null ? t : eventType;
                }
            } else {
                if (eventIndex >= 0) {
                    throw new BindingException(where + " takes two event parameters. Fix: take the event and,"
                            + " optionally, its Message<T>");
                }
                eventIndex = i;
                eventType = mapper.getTypeFactory().constructType(params[i]);
            }
        }
        if (eventIndex < 0 && messageIndex < 0) {
            throw new BindingException(where + " takes no parameter. Fix: take the event, e.g. (OrderPlaced event),"
                    + " and optionally its Message<OrderPlaced>");
        }
        if (eventType == null) {
            throw new BindingException(where + " takes a Message without its event type. Fix: Message<OrderPlaced>");
        }
        if (c.maxAttempts() < 0 || c.maxAttempts() > 100) {
            throw new BindingException(where + ": maxAttempts " + c.maxAttempts() + " is out of range. Fix: 1 to 100"
                    + " (0 for the configured default)");
        }
        if (c.concurrency() < 0 || c.concurrency() > 1024) {
            throw new BindingException(where + ": concurrency " + c.concurrency() + " is out of range. Fix: 1 to"
                    + " 1024 (0 for the default)");
        }
        Duration annotated = null;
        if (!c.backoff().isEmpty()) {
            try {
                annotated = Setting.duration("backoff", null).parse(c.backoff());
            } catch (RuntimeException e) {
                throw new BindingException(where + ": backoff '" + c.backoff() + "' is not a duration. Fix: e.g."
                        + " 200ms, 1s");
            }
        }
        String key = Names.handlerKey(handler.getClass(), m);
        int attempts = configured(config, MessagingSettings.maxAttempts(key), c.maxAttempts() > 0 ? c.maxAttempts() : null);
        Duration backoff = configured(config, MessagingSettings.backoff(key), annotated);
        Duration maxBackoff = config.get(MessagingSettings.maxBackoff(key));
        if (backoff.compareTo(maxBackoff) > 0) {
            throw new BindingException(where + ": the back-off (" + backoff + ") is longer than its maximum ("
                    + maxBackoff + "). Fix: lower consumers." + key + ".backoff or raise consumers." + key
                    + ".max-backoff");
        }
        int concurrency = configured(config, MessagingSettings.concurrency(key), c.concurrency() > 0 ? c.concurrency() : null);
        MethodHandle invoker;
        try {
            m.setAccessible(true); // a public method of a class that need not be public
            invoker = MethodHandles.lookup().unreflect(m).bindTo(handler).asSpreader(Object[].class, params.length);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new BindingException(where + " cannot be called from Chassis (" + e.getMessage() + "). Fix: make its"
                    + " class public");
        }
        return new ConsumerBinding(key, c.topic(), c.group(), m, invoker, eventType, eventIndex, messageIndex,
                params.length, attempts, backoff, maxBackoff, concurrency,
                Set.copyOf(config.get(MessagingSettings.allowedSources(key))),
                config.find(MessagingSettings.timeout(key)).orElse(null));
    }

    /** The configured value, else the annotation's ({@code null} when it leaves it unset), else the setting's default. */
    private static <T> T configured(Config config, Setting<T> setting, T annotated) {
        if (config.raw(setting.key()).isPresent() || annotated == null) {
            return config.get(setting);
        }
        return annotated;
    }

    private static JavaType messageData(Type param, ObjectMapper mapper) {
        if (param instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
            Type arg = p.getActualTypeArguments()[0];
            if (arg instanceof WildcardType || arg instanceof TypeVariable<?>) {
                return null;
            }
            return mapper.getTypeFactory().constructType(arg);
        }
        return null;
    }
}
