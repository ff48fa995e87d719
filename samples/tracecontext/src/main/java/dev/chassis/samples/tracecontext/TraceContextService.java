package dev.chassis.samples.tracecontext;

import dev.chassis.core.Chassis;

/**
 * A service for the W3C trace-context test harness (github.com/w3c/trace-context, {@code test/}): start it,
 * then run {@code python test.py http://127.0.0.1:8080/test} from the harness's folder.
 */
public final class TraceContextService {
    private TraceContextService() {
    }

    public static void main(String[] args) {
        Chassis.service("tracecontext").http(new HarnessEndpoint()).start();
    }
}
