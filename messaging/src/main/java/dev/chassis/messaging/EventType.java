package dev.chassis.messaging;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The CloudEvents type of an event class, {@code <reverse-domain>.<domain>.<event>.v<N>} as the standard names
 * them ({@code com.example.orders.placed.v1}). Without it, the class's name is the type.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    String value();
}
