package dev.chassis.observability.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import dev.chassis.core.Problem;
import dev.chassis.core.ServiceInfo;
import dev.chassis.core.config.Config;
import dev.chassis.core.config.Setting;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.core.http.PathParam;

/**
 * The console's JSON ({@code GET /console/api/...}): metrics, the effective configuration, one trace joined across
 * services, the service map. Each answer is computed when asked; nothing runs between requests. Not API.
 */
@Path("/console/api")
public final class ConsoleEndpoint {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final String ZERO_ID = "0".repeat(32);

    private final ServiceInfo info;
    private final Clock clock;
    private final String service;
    private final ServiceTelemetry telemetry;
    private final Config config;
    private final List<Setting<?>> settings;
    private final TraceJoin join;
    private final ServiceMap map;

    ConsoleEndpoint(ServiceInfo info, Clock clock, ServiceTelemetry telemetry, Config config, List<Setting<?>> settings,
                    Peers peers, List<String> configuredPeers) {
        this.info = info;
        this.clock = clock;
        this.service = info.name();
        this.telemetry = telemetry;
        this.config = config;
        this.settings = settings;
        this.join = new TraceJoin(info.name(), telemetry.store, peers, configuredPeers,
                config.raw("management.port").isPresent());
        this.map = new ServiceMap(info.name(), peers, configuredPeers);
    }

    /** Who the service is: what the page's header shows. */
    record About(String name, String version, String instanceId, Instant startTime, String profile,
                 List<String> protocols, boolean traceStore) {
    }

    /** The service's identity, profile, and whether its trace store is on. */
    @Get
    @Path("/service")
    public About about() {
        return new About(info.name(), info.version(), info.instanceId(), info.startTime(), config.profile().orElse(null),
                info.protocols(), telemetry.store != null);
    }

    /** The service's metrics, cumulative since it started. */
    @Get
    @Path("/metrics")
    public MetricsSummary.Metrics metrics() {
        return new MetricsSummary.Metrics(clock.millis(), MetricsSummary.of(telemetry.collect()));
    }

    /** Every declared setting with its value (secrets masked) and source. */
    @Get
    @Path("/config")
    public ConsoleConfig.Effective configuration() {
        return ConsoleConfig.of(config, settings);
    }

    /** One trace: this service's spans and those of every service it reached that holds some. */
    @Get
    @Path("/trace/{traceId}")
    public TraceJoin.Joined trace(@PathParam("traceId") String traceId) {
        if (!TRACE_ID.matcher(traceId).matches() || traceId.equals(ZERO_ID)) {
            throw Problem.badRequest("a trace id is 32 lower-case hex digits, not all zero; it was '" + traceId + "'");
        }
        TraceJoin.Joined joined = join.join(traceId);
        if (joined.spans().isEmpty()) {
            throw Problem.notFound("no span of trace " + traceId + " is in the trace store of " + service
                    + (joined.unreached().isEmpty() ? "" : " or of the services reached; not reached: "
                    + joined.unreached().stream().map(u -> u.service() + " (" + u.reason() + ")").toList())
                    + " (stores keep the most recent spans only)");
        }
        return joined;
    }

    /** This service's calls to others, from its client metrics: what other consoles ask to draw the map. */
    @Get
    @Path("/edges")
    public ServiceMap.Edges edges() {
        return ServiceMap.local(service, telemetry.collect());
    }

    /** The services this one reaches, directly or not, and the calls between them. */
    @Get
    @Path("/map")
    public ServiceMap.Graph map() {
        return map.graph(edges());
    }
}
