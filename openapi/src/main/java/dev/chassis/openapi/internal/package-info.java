/**
 * How chassis-openapi builds and serves the document. Not API: it may change in any release.
 */
package dev.chassis.openapi.internal;
