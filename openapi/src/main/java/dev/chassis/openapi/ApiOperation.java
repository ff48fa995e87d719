package dev.chassis.openapi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What the OpenAPI document says of one handler beyond what Chassis reads from its signature: a summary, a
 * description, and the problem statuses the handler itself throws ({@code Problem.builder(409)}), which no
 * signature shows. Optional: a handler without it is documented from its route, parameters, body and return type.
 *
 * <pre>{@code
 * @Post("/orders")
 * @Status(201)
 * @ApiOperation(summary = "Place an order", problems = {409})
 * public Order place(@Body NewOrder order) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ApiOperation {
    /** A short summary of what the operation does; empty for none. */
    String summary() default "";

    /** A longer description (CommonMark); empty for none. */
    String description() default "";

    /**
     * The problem statuses (400–599) the handler throws itself, each documented as an {@code application/problem+json}
     * answer; those Chassis answers for the handler (400, 404 for {@code Optional}, 406, 415, 500...) are listed
     * without it.
     */
    int[] problems() default {};
}
