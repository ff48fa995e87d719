package dev.chassis.core.internal.validation;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.Set;

import jakarta.validation.Constraint;

/**
 * Whether a class may declare Bean Validation constraints, decided by reflection alone — without the validator, whose
 * start (about 700 classes and 300 ms of CPU, measured) a service that declares no constraint never needs. It errs on
 * one side only: it answers "may" for every class the validator would find constrained, and sometimes for one it
 * would not. "May" is any annotation of {@code jakarta.validation} (constraints, {@code @Valid}, groups) or of
 * {@code org.hibernate.validator}, or one meta-annotated with {@code @Constraint} (a custom or composed constraint),
 * found on the class or any superclass or interface: on the type, its fields, methods, constructors, record
 * components and their parameters, and inside their generic types ({@code List<@NotBlank String>}; not in a type
 * variable's bounds, where Bean Validation reads none). Constraints
 * declared in XML ({@code META-INF/validation.xml}) are outside its reach: with that file on the class path every
 * class "may". Not API.
 */
final class ConstraintScan {
    /**
     * Whether a class's own declarations carry one, decided once per class: the supertypes that many types share (a
     * protobuf message's base classes, with their hundreds of methods) are read once, not once per subtype.
     */
    private static final ClassValue<Boolean> OWN = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            if (carries(c)) {
                return true;
            }
            for (Field f : c.getDeclaredFields()) {
                if (carries(f) || carries(f.getAnnotatedType())) {
                    return true;
                }
            }
            for (Executable e : c.getDeclaredMethods()) {
                if (executable(e)) {
                    return true;
                }
            }
            for (Executable e : c.getDeclaredConstructors()) {
                if (executable(e)) {
                    return true;
                }
            }
            if (c.isRecord()) {
                for (RecordComponent r : c.getRecordComponents()) {
                    if (carries(r) || carries(r.getAnnotatedType())) {
                        return true;
                    }
                }
            }
            return false;
        }
    };

    private final boolean xml;

    ConstraintScan(ClassLoader loader) {
        this.xml = loader.getResource("META-INF/validation.xml") != null;
    }

    /** False only when nothing in the class's hierarchy carries a validation annotation (and there is no XML). */
    boolean mayConstrain(Class<?> type) {
        return xml || hierarchy(type, new HashSet<>());
    }

    private static boolean hierarchy(Class<?> c, Set<Class<?>> seen) {
        if (c == null || c == Object.class || c.isPrimitive() || !seen.add(c)) {
            return false;
        }
        if (c.isArray()) {
            return hierarchy(c.getComponentType(), seen);
        }
        if (OWN.get(c)) {
            return true;
        }
        if (hierarchy(c.getSuperclass(), seen)) {
            return true;
        }
        for (Class<?> i : c.getInterfaces()) {
            if (hierarchy(i, seen)) {
                return true;
            }
        }
        return false;
    }

    private static boolean executable(Executable e) {
        if (carries(e) || carries(e.getAnnotatedReturnType())) {
            return true;
        }
        for (Parameter p : e.getParameters()) {
            if (carries(p) || carries(p.getAnnotatedType())) {
                return true;
            }
        }
        return false;
    }

    /** An annotated type, with its type arguments, array components and bounds. */
    private static boolean carries(AnnotatedType t) {
        if (t == null) {
            return false;
        }
        if (carries((AnnotatedElement) t)) {
            return true;
        }
        if (t instanceof AnnotatedParameterizedType p) {
            for (AnnotatedType a : p.getAnnotatedActualTypeArguments()) {
                if (carries(a)) {
                    return true;
                }
            }
        } else if (t instanceof AnnotatedArrayType a) {
            return carries(a.getAnnotatedGenericComponentType());
        } else if (t instanceof AnnotatedWildcardType w) {
            for (AnnotatedType b : w.getAnnotatedUpperBounds()) {
                if (carries(b)) {
                    return true;
                }
            }
            for (AnnotatedType b : w.getAnnotatedLowerBounds()) {
                if (carries(b)) {
                    return true;
                }
            }
        }
        // a type variable's own annotations are checked above; its bounds are not followed: they may name the
        // variable again (T extends Comparable<T>), and Bean Validation reads no constraint there
        return false;
    }

    private static boolean carries(AnnotatedElement element) {
        for (Annotation a : element.getDeclaredAnnotations()) {
            if (validation(a.annotationType())) {
                return true;
            }
        }
        return false;
    }

    private static boolean validation(Class<? extends Annotation> type) {
        String name = type.getName();
        return name.startsWith("jakarta.validation.") || name.startsWith("org.hibernate.validator.")
                || type.isAnnotationPresent(Constraint.class);
    }
}
