package dev.chassis.core.internal.validation;

import java.lang.System.Logger.Level;

/**
 * Looks for a Bean Validation provider once. The class that uses {@code jakarta.validation} is loaded by name only
 * when the API is there, so that core never links against a missing jar. Not API.
 */
final class Detection {
    static final Validation VALIDATION = detect();

    private Detection() {
    }

    private static Validation detect() {
        ClassLoader loader = Detection.class.getClassLoader();
        try {
            Class.forName("jakarta.validation.Validation", false, loader);
        } catch (ClassNotFoundException absent) {
            return Validation.NONE;
        }
        try {
            return (Validation) Class.forName("dev.chassis.core.internal.validation.BeanValidation", true, loader)
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.getLogger(Detection.class.getName()).log(Level.WARNING, "jakarta.validation is on the class path but"
                    + " no validator could be started (" + cause + "): constraints are not checked. Fix: add"
                    + " org.hibernate.validator:hibernate-validator and org.glassfish.expressly:expressly");
            return Validation.NONE;
        }
    }
}
