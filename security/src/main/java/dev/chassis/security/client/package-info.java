/**
 * The credentials a service presents to the services it calls, per target ({@code clients.<target>.credentials}):
 * none (mutual TLS only), the incoming user's bearer token relayed, or an OAuth 2.0 client-credentials token from
 * the issuer's token endpoint. Applied to declarative HTTP clients and gRPC channels alike.
 */
package dev.chassis.security.client;
