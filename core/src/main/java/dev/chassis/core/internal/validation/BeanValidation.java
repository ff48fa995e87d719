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
    private final Validator validator;
    private final ClassValue<Optional<Check>> checks = new ClassValue<>() {
        @Override
        protected Optional<Check> computeValue(Class<?> type) {
            if (!constrained(type)) {
                return Optional.empty();
            }
            return Optional.of(value -> {
                Map<String, List<String>> errors = new TreeMap<>();
                collect(validator.validate(value), "", null, errors);
                return fieldErrors(errors);
            });
        }
    };

    BeanValidation() {
        Configuration<?> configuration = jakarta.validation.Validation.byDefaultProvider().configure(); // CHECKSTYLE:FQN-OK
        if (!present("jakarta.el.ExpressionFactory") && present("org.hibernate.validator.HibernateValidator")) {
            // without an expression language, messages with only {parameters} still read well
            configuration.messageInterpolator(new ParameterMessageInterpolator());
        }
        this.validator = configuration.buildValidatorFactory().getValidator();
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, BeanValidation.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public Optional<Check> of(Class<?> type) {
        return checks.get(type);
    }

    private boolean constrained(Class<?> type) {
        return !type.isPrimitive() && !type.isArray() && !type.getName().startsWith("java.")
                && validator.getConstraintsForClass(type).isBeanConstrained();
    }

    @Override
    public ArgumentsCheck forHandler(Object target, Method method, String[] fields, int body) {
        MethodDescriptor descriptor = validator.getConstraintsForClass(target.getClass())
                .getConstraintsForMethod(method.getName(), method.getParameterTypes());
        boolean parameters = descriptor != null && descriptor.hasConstrainedParameters();
        BodyCheck bodyCheck = body < 0 || method.getParameters()[body].isAnnotationPresent(Valid.class) ? null
                : bodyCheck(method.getGenericParameterTypes()[body]);
        if (!parameters && bodyCheck == null) {
            return null;
        }
        ExecutableValidator executables = validator.forExecutables();
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
                return (value, errors) -> ((Optional<?>) value).ifPresent(v -> collect(validator.validate(v), "", null,
                        errors));
            }
            if (Collection.class.isAssignableFrom(raw)) {
                return (value, errors) -> {
                    int i = 0;
                    for (Object v : (Collection<?>) value) {
                        if (v != null) {
                            collect(validator.validate(v), "[" + i + "]", null, errors);
                        }
                        i++;
                    }
                };
            }
            return null;
        }
        if (type instanceof Class<?> c && constrained(c)) {
            return (value, errors) -> collect(validator.validate(value), "", null, errors);
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
