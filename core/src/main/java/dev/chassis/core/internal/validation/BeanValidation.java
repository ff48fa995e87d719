package dev.chassis.core.internal.validation;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.chassis.core.Problem;
import jakarta.validation.Configuration;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.executable.ExecutableValidator;
import jakarta.validation.metadata.MethodDescriptor;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * {@link Validation} with the Bean Validation provider on the class path. Loaded by name only when
 * {@code jakarta.validation} is there. Not API.
 */
final class BeanValidation implements Validation {
    private final ConstraintScan scan = new ConstraintScan(BeanValidation.class.getClassLoader());
    private final ReentrantLock starting = new ReentrantLock();
    /** Started by the first type or handler that may be constrained; null until then. */
    private volatile Validator started;
    /** Set when the validator could not start: then nothing is checked (as without a validator), said once. */
    private volatile boolean unavailable;
    private final ClassValue<Optional<Check>> checks = new ClassValue<>() {
        @Override
        protected Optional<Check> computeValue(Class<?> type) {
            if (!constrained(type)) {
                return Optional.empty();
            }
            return Optional.of(value -> {
                Map<String, List<String>> errors = new TreeMap<>();
                collect(started.validate(value), "", null, errors);
                return fieldErrors(errors);
            });
        }
    };

    /**
     * The validator, started when first needed — at binding, by the first handler or type that may be constrained
     * ({@link ConstraintScan}): a service that declares no constraint never starts it. Null when it cannot start.
     */
    private Validator validator() {
        Validator v = started;
        if (v != null || unavailable) {
            return v;
        }
        starting.lock();
        try {
            if (started == null && !unavailable) {
                try {
                    Configuration<?> configuration = jakarta.validation.Validation.byDefaultProvider().configure(); // CHECKSTYLE:FQN-OK
                    if (!present("jakarta.el.ExpressionFactory") && present("org.hibernate.validator.HibernateValidator")) {
                        // without an expression language, messages with only {parameters} still read well
                        configuration.messageInterpolator(new ParameterMessageInterpolator());
                    }
                    started = configuration.buildValidatorFactory().getValidator();
                } catch (RuntimeException | LinkageError e) {
                    unavailable = true;
                    System.getLogger(BeanValidation.class.getName()).log(System.Logger.Level.WARNING, "jakarta.validation"
                            + " is on the class path but no validator could be started (" + e + "): constraints are not"
                            + " checked. Fix: add org.hibernate.validator:hibernate-validator and"
                            + " org.glassfish.expressly:expressly");
                }
            }
            return started;
        } finally {
            starting.unlock();
        }
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, BeanValidation.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Whether the validator was started (for tests). */
    boolean started() {
        return started != null;
    }

    @Override
    public Optional<Check> of(Class<?> type) {
        return checks.get(type);
    }

    private boolean constrained(Class<?> type) {
        if (type.isPrimitive() || type.isArray() || type.getName().startsWith("java.") || !scan.mayConstrain(type)) {
            return false;
        }
        Validator validator = validator();
        return validator != null && validator.getConstraintsForClass(type).isBeanConstrained();
    }

    @Override
    public ArgumentsCheck forHandler(Object target, Method method, String[] fields, int body) {
        // the endpoint's class and its supertypes, where a method's parameter constraints may be declared
        Validator validator = scan.mayConstrain(target.getClass()) ? validator() : null;
        MethodDescriptor descriptor = validator == null ? null : validator.getConstraintsForClass(target.getClass())
                .getConstraintsForMethod(method.getName(), method.getParameterTypes());
        boolean parameters = descriptor != null && descriptor.hasConstrainedParameters();
        BodyCheck bodyCheck = body < 0 || method.getParameters()[body].isAnnotationPresent(Valid.class) ? null
                : bodyCheck(method.getGenericParameterTypes()[body]);
        if (!parameters && bodyCheck == null) {
            return null;
        }
        ExecutableValidator executables = parameters ? validator.forExecutables() : null;
        return args -> {
            Map<String, List<String>> errors = new TreeMap<>();
            if (parameters) {
                collect(executables.validateParameters(target, method, args), "", fields, errors);
            }
            if (bodyCheck != null) {
                bodyCheck.check(args[body], errors);
            }
            if (!errors.isEmpty()) {
                throw Problem.builder(400).detail("invalid request: " + String.join(", ", errors.keySet()))
                        .errors(fieldErrors(errors)).build();
            }
        };
    }

    private interface BodyCheck {
        void check(Object value, Map<String, List<String>> errors);
    }

    /** The body's type checked as if it carried {@code @Valid}: also in an {@code Optional} or a collection. */
    private BodyCheck bodyCheck(Type type) {
        if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw
                && pt.getActualTypeArguments()[0] instanceof Class<?> element && constrained(element)) {
            if (raw == Optional.class) {
                return (value, errors) -> ((Optional<?>) value).ifPresent(v -> collect(started.validate(v), "", null,
                        errors));
            }
            if (Collection.class.isAssignableFrom(raw)) {
                return (value, errors) -> {
                    int i = 0;
                    for (Object v : (Collection<?>) value) {
                        if (v != null) {
                            collect(started.validate(v), "[" + i + "]", null, errors);
                        }
                        i++;
                    }
                };
            }
            return null;
        }
        if (type instanceof Class<?> c && constrained(c)) {
            return (value, errors) -> collect(started.validate(value), "", null, errors);
        }
        return null;
    }

    private static <T> void collect(Set<ConstraintViolation<T>> violations, String prefix, String[] fields,
                                    Map<String, List<String>> errors) {
        for (ConstraintViolation<T> v : violations) {
            String field = field(v.getPropertyPath(), prefix, fields);
            List<String> messages = errors.computeIfAbsent(field, f -> new ArrayList<>());
            if (!messages.contains(v.getMessage())) {
                messages.add(v.getMessage());
            }
        }
    }

    /**
     * {@code items[2].quantity} for a property path; a handler parameter by the name it is bound to, the body by
     * the path inside it ({@code body} for the body itself).
     */
    static String field(Path path, String prefix, String[] fields) {
        StringBuilder sb = new StringBuilder(prefix);
        for (Path.Node node : path) {
            ElementKind kind = node.getKind();
            if (kind == ElementKind.METHOD || kind == ElementKind.CONSTRUCTOR || kind == ElementKind.RETURN_VALUE) {
                continue;
            }
            if (kind == ElementKind.CROSS_PARAMETER) {
                sb.append("parameters");
                continue;
            }
            if (kind == ElementKind.PARAMETER && fields != null) {
                int index = node.as(Path.ParameterNode.class).getParameterIndex();
                String name = index < fields.length ? fields[index] : null;
                if (name != null) {
                    sb.append(name);
                }
                continue;
            }
            if (node.getIndex() != null) {
                sb.append('[').append(node.getIndex()).append(']');
            } else if (node.getKey() != null) {
                sb.append('[').append(node.getKey()).append(']');
            }
            String name = node.getName();
            if (name != null && !name.startsWith("<")) {
                sb.append(sb.isEmpty() ? "" : ".").append(name);
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }

    private static List<Problem.FieldError> fieldErrors(Map<String, List<String>> errors) {
        List<Problem.FieldError> out = new ArrayList<>(errors.size());
        errors.forEach((field, messages) -> out.add(new Problem.FieldError(field,
                String.join("; ", messages.stream().sorted().toList()))));
        return out;
    }
}
