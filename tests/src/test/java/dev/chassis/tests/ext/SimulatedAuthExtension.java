package dev.chassis.tests.ext;

import java.util.List;

import dev.chassis.core.Caller;
import dev.chassis.core.config.Setting;
import dev.chassis.core.internal.shared.CurrentCaller;
import dev.chassis.core.spi.ChassisExtension;
import dev.chassis.core.spi.ExtensionContext;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * A test extension that stands in for token verification when {@code test-auth.enabled} is true: a filter takes the
 * {@code X-Test-Subject} header as a verified subject and registers its {@link Caller} in the request's context, as
 * the real authenticating filter of {@code chassis-security} does for a verified bearer token (which the security
 * module's own tests cover). Lets core's behaviour per principal be tested without an identity provider.
 */
public final class SimulatedAuthExtension implements ChassisExtension {
    static final Setting<Boolean> ENABLED = Setting.bool("test-auth.enabled", false);
    static final String ISSUER = "https://issuer.test";
    private static final HeaderName SUBJECT = HeaderNames.create("X-Test-Subject");

    @Override
    public String name() {
        return "test-auth";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ENABLED);
    }

    @Override
    public void register(ExtensionContext context) {
        if (!context.config().get(ENABLED)) {
            return;
        }
        context.http().filter((chain, req, res) -> {
            Caller caller = req.headers().first(SUBJECT).map(subject -> Caller.authenticated(subject, ISSUER).build())
                    .orElse(null);
            if (caller == null) {
                chain.proceed();
                return;
            }
            req.context().register(caller);
            CurrentCaller.run(caller, null, chain::proceed); // as chassis-security's filter does: Caller.current()
        });
    }
}
