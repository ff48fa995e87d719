package dev.chassis.core.internal.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * The scan may say "may be constrained" too often, never too rarely: for every class here the validator itself
 * decides too, and a class the validator finds constrained must never be one the scan passed over.
 */
class ConstraintScanTest {
    private final ConstraintScan scan = new ConstraintScan(ConstraintScanTest.class.getClassLoader());
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    record Plain(String name, int count, List<String> tags, Map<String, Plain> children) {
    }

    static class PlainClass {
        String name;

        String getName() {
            return name;
        }
    }

    record FieldConstraint(@NotBlank String name) {
    }

    static class GetterConstraint {
        @Min(1)
        int getCount() {
            return 0;
        }
    }

    record TypeUse(List<@NotBlank String> tags) {
    }

    record Nested(Optional<Map<String, List<@Min(0) Integer>>> deep) {
    }

    static class Base {
        @NotBlank
        String id;
    }

    static class Derived extends Base {
        String other;
    }

    interface Named {
        @NotBlank
        String getName();
    }

    static class ImplementsNamed implements Named {
        @Override
        public String getName() {
            return "";
        }
    }

    record Cascades(@Valid Plain inner) {
    }

    /** A type variable bounded by itself: the scan must not follow it round. */
    static class Recursive<T extends Comparable<T>> {
        T value;
        List<? extends Recursive<T>> more;
    }

    static class RecursiveConstrained<T extends Comparable<T>> {
        @NotBlank
        String name;
        T value;
    }

    /** A custom constraint: only its meta-annotation says what it is. */
    @Target({ElementType.TYPE, ElementType.FIELD})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = AlwaysValid.class)
    @interface Checked {
        String message() default "checked";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static final class AlwaysValid implements ConstraintValidator<Checked, Object> {
        @Override
        public boolean isValid(Object value, ConstraintValidatorContext context) {
            return true;
        }
    }

    @Checked
    static class ClassLevelCustom {
        String any;
    }

    static class FieldCustom {
        @Checked
        String any;
    }

    @Test
    void aClassWithoutValidationAnnotationsNeedsNoValidator() {
        for (Class<?> c : List.of(Plain.class, PlainClass.class, String.class, Object.class, int[].class, Plain[].class,
                Recursive.class)) {
            assertThat(scan.mayConstrain(c)).as(c.getName()).isFalse();
        }
    }

    @Test
    void everyPlaceAConstraintCanHideIsFound() {
        for (Class<?> c : List.of(FieldConstraint.class, GetterConstraint.class, TypeUse.class, Nested.class,
                Derived.class, ImplementsNamed.class, Cascades.class, ClassLevelCustom.class, FieldCustom.class,
                FieldConstraint[].class, RecursiveConstrained.class)) {
            assertThat(scan.mayConstrain(c)).as(c.getName()).isTrue();
        }
    }

    @Test
    void theScanNeverPassesOverWhatTheValidatorConstrains() {
        for (Class<?> c : List.of(Plain.class, PlainClass.class, FieldConstraint.class, GetterConstraint.class,
                TypeUse.class, Nested.class, Derived.class, ImplementsNamed.class, Cascades.class, ClassLevelCustom.class,
                FieldCustom.class)) {
            boolean constrained = VALIDATOR.getConstraintsForClass(c).isBeanConstrained();
            if (constrained) {
                assertThat(scan.mayConstrain(c)).as("the validator constrains %s", c.getName()).isTrue();
            }
        }
        assertThat(VALIDATOR.getConstraintsForClass(Plain.class).isBeanConstrained()).isFalse();
        assertThat(VALIDATOR.getConstraintsForClass(Derived.class).isBeanConstrained()).as("the check can fail").isTrue();
    }

    @Test
    void withConstraintsDeclaredInXmlEveryClassMayBeConstrained(@TempDir Path dir) throws Exception {
        // META-INF/validation.xml can map constraints onto any class: the scan cannot see them, so it says "may"
        Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(dir.resolve("META-INF/validation.xml"), "<validation-config/>");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            assertThat(new ConstraintScan(loader).mayConstrain(Plain.class)).isTrue();
        }
        assertThat(scan.mayConstrain(Plain.class)).as("without the file").isFalse();
    }

    public static final class Endpoint {
        public String hello(String name) {
            return name;
        }
    }

    public static final class ConstrainedEndpoint {
        public String hello(@NotBlank String name) {
            return name;
        }
    }

    @Test
    void aServiceWithoutConstraintsNeverStartsTheValidator() throws Exception {
        BeanValidation validation = new BeanValidation();
        assertThat(validation.forHandler(new Endpoint(), Endpoint.class.getMethod("hello", String.class),
                new String[] {"name"}, -1)).isNull();
        assertThat(validation.of(Plain.class)).isEmpty();
        assertThat(validation.started()).isFalse();

        assertThat(validation.forHandler(new ConstrainedEndpoint(), ConstrainedEndpoint.class.getMethod("hello",
                String.class), new String[] {"name"}, -1)).isNotNull();
        assertThat(validation.started()).isTrue();
        assertThat(validation.of(FieldConstraint.class)).isPresent()
                .hasValueSatisfying(check -> assertThat(check.violations(new FieldConstraint(" "))).isNotEmpty());
    }
}
