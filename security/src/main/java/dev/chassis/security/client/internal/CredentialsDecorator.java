package dev.chassis.security.client.internal;

import dev.chassis.core.client.RemoteProblemException;
import dev.chassis.core.spi.CallDecorator;
import dev.chassis.core.spi.CallSite;
import dev.chassis.core.spi.Invocation;

/**
 * Adds {@code Authorization: Bearer <token>} to the calls of declarative HTTP clients whose target has credentials.
 * With client-credentials, a 401 from the target makes the token be fetched again and the call be sent once more
 * with it — whatever its method: a resource server refuses a token before any handler runs, and the client encodes
 * the body again from the arguments; a second 401 is the call's answer. A relayed token is not retried. Not API.
 */
final class CredentialsDecorator implements CallDecorator {
    private static final String AUTHORIZATION = "Authorization";
    private final TargetCredentials credentials;

    CredentialsDecorator(TargetCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Invocation decorate(CallSite site, Invocation next) {
        if (site.kind() != CallSite.Kind.CLIENT) {
            return next;
        }
        String target = site.target();
        return switch (credentials.mode(target)) {
            case NONE -> next;
            case RELAY -> call -> {
                String token = credentials.token(target);
                if (token != null) {
                    call.header(AUTHORIZATION, "Bearer " + token);
                }
                return next.invoke(call);
            };
            case CLIENT_CREDENTIALS -> call -> {
                String token = credentials.token(target);
                call.header(AUTHORIZATION, "Bearer " + token);
                try {
                    return next.invoke(call);
                } catch (RemoteProblemException e) {
                    if (e.status() != 401) {
                        throw e;
                    }
                    call.header(AUTHORIZATION, "Bearer " + credentials.refreshed(target, token));
                    return next.invoke(call);
                }
            };
        };
    }

}
