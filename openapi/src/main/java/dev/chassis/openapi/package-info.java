/**
 * The service's OpenAPI 3.1 document, generated at start-up from the bound handlers and served at {@code /openapi}
 * (JSON) and {@code /openapi.yaml} (YAML), on the management port when there is one. {@link ApiOperation} adds a
 * summary, a description and the problems a handler throws itself; nothing else is needed. See docs/openapi.md.
 */
package dev.chassis.openapi;
