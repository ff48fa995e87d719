package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.testing.Eventually;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/** An event that violates its type's constraints is dead-lettered at once, naming the violations. */
class InvalidEventTest {
    @EventType("dev.chassis.test.parcel.weighed.v1")
    public record ParcelWeighed(@NotBlank String id, @Min(1) int grams) {
    }

    public static final class Scale {
        final List<ParcelWeighed> handled = new CopyOnWriteArrayList<>();

        @Consume(topic = "parcels.weighed", group = "scale")
        public void on(ParcelWeighed event) {
            handled.add(event);
        }
    }

    @Test
    void anInvalidEventGoesToTheDeadLettersWithoutAnAttemptAndAValidOneIsHandled() {
        Scale scale = new Scale();
        ServiceBuilder b = Chassis.service("parcels").property("server.port", "0")
                .property("messaging.memory.name", "validated").consume(scale);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.weighed", "p-1", new ParcelWeighed(" ", 0));
            publisher.publish("parcels.weighed", "p-2", new ParcelWeighed("p-2", 250));
            InMemoryBroker broker = InMemoryBroker.named("validated");
            Eventually.within(Duration.ofSeconds(30)).until("the invalid event is dead-lettered and the valid one handled",
                    () -> broker.records("parcels.weighed.dlq").size() == 1 && scale.handled.size() == 1);
            InMemoryBroker.Record dead = broker.records("parcels.weighed.dlq").get(0);
            assertThat(dead.key()).isEqualTo("p-1");
            assertThat(dead.header("chassis-dlq-error"))
                    .isEqualTo("invalid: grams must be greater than or equal to 1; id must not be blank");
            assertThat(dead.header("chassis-dlq-attempts")).isEqualTo("0");
            assertThat(scale.handled).containsExactly(new ParcelWeighed("p-2", 250));
        } finally {
            s.stop();
        }
    }

    /** A constraint whose validator throws, as a buggy custom validator would. */
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = Exploding.Check.class)
    public @interface Exploding {
        String message() default "explodes";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        /** Throws on every value. */
        final class Check implements ConstraintValidator<Exploding, String> {
            @Override
            public boolean isValid(String value, ConstraintValidatorContext context) {
                throw new IllegalStateException("the validator broke");
            }
        }
    }

    @EventType("dev.chassis.test.parcel.labelled.v1")
    public record ParcelLabelled(@Exploding String label) {
    }

    public static final class Labeller {
        final List<ParcelLabelled> handled = new CopyOnWriteArrayList<>();

        @Consume(topic = "parcels.labelled", group = "labeller")
        public void on(ParcelLabelled event) {
            handled.add(event);
        }
    }

    @Test
    void aValidatorThatThrowsDeadLettersTheEventInsteadOfRedeliveringItForever() {
        Labeller labeller = new Labeller();
        ServiceBuilder b = Chassis.service("labels").property("server.port", "0")
                .property("messaging.memory.name", "exploding").consume(labeller);
        Publisher publisher = b.component(Publisher.class);
        RunningService s = b.start();
        try {
            publisher.publish("parcels.labelled", "p-1", new ParcelLabelled("fragile"));
            InMemoryBroker broker = InMemoryBroker.named("exploding");
            Eventually.within(Duration.ofSeconds(30)).until("the event is dead-lettered",
                    () -> broker.records("parcels.labelled.dlq").size() == 1);
            assertThat(broker.records("parcels.labelled.dlq").get(0).header("chassis-dlq-error"))
                    .startsWith("invalid: the validator failed: ");
            assertThat(labeller.handled).isEmpty();
        } finally {
            s.stop();
        }
    }
}
