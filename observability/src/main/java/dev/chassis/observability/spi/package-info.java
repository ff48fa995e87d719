/**
 * Extension points of {@code chassis-observability}: {@link dev.chassis.observability.spi.SpanRedactor}, which an
 * application implements to redact span attributes before they are stored or exported.
 */
package dev.chassis.observability.spi;
