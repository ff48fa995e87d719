package dev.chassis.core.internal.http.server;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Produces one handler argument from the request; built once per parameter at start-up. Not API. */
@FunctionalInterface
interface ArgumentReader {
    Object read(ServerRequest request, ServerResponse response) throws Exception;
}
