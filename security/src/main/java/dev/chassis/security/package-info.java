/**
 * Authentication and authorization for Chassis services: bearer JWTs verified against OIDC issuers, access rules on
 * HTTP handlers and gRPC methods, and the credentials a service presents to the services it calls.
 */
package dev.chassis.security;
