/**
 * Mechanics that Chassis' own modules share: back-off, naming, trace-context propagation and message helpers.
 *
 * <p><strong>Not API.</strong> Nothing here is meant for users: only Chassis modules ({@code dev.chassis..}) may use
 * it, which an architecture test checks. Any type or method here may change or disappear in any release, without
 * notice or deprecation. Applications and third-party extensions must use the public packages
 * ({@code dev.chassis.<module>} and {@code dev.chassis.<module>.spi}) instead.
 */
package dev.chassis.core.internal.shared;
