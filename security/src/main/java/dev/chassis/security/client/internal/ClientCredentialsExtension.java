package dev.chassis.security.client.internal;

import java.util.List;

import dev.chassis.core.config.Setting;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;

/**
 * Service-to-service credentials: reads {@code clients.<target>.credentials} (a wrong or incomplete one stops
 * start-up before the port opens) and adds the bearer token of each target with credentials to its declarative HTTP
 * clients' calls and its gRPC channels' calls. Turned off with {@code chassis.extensions.security-clients.enabled:
 * false}. Not API.
 */
public final class ClientCredentialsExtension implements ChassisExtension {
    @Override
    public String name() {
        return "security-clients";
    }

    @Override
    public List<Setting<?>> settings() {
        return CredentialSettings.all();
    }

    @Override
    public void register(ExtensionContext context) {
        TargetCredentials credentials = TargetCredentials.read(context.config(), context.clock());
        if (credentials.empty()) {
            return;
        }
        context.calls().decorator(new CredentialsDecorator(credentials));
        context.grpc().clientInterceptor(new CredentialsInterceptor(credentials));
    }
}
