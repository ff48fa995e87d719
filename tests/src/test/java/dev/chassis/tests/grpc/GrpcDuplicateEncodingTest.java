package dev.chassis.tests.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.chassis.core.Chassis;
import dev.chassis.testing.TestService;

/**
 * A call that sends {@code grpc-encoding} twice is refused: gRPC's metadata reads the last value and Helidon's reader
 * the first, so {@code x-foo} then {@code identity} once passed the encoding check and skipped Chassis' own reading of
 * the messages. Driven with curl (HTTP/2 with prior knowledge), since grpc-java's client sets that header itself.
 */
class GrpcDuplicateEncodingTest {
    @RegisterExtension
    static final TestService service = TestService.of(() -> Chassis.service("encodings").grpc(new EchoService()));

    private static String call(String... encodings) throws Exception {
        Path body = Files.createTempFile("grpc-message-", ".bin");
        // one uncompressed message: flag 0, length 4, EchoRequest{text: "hi"}
        Files.write(body, new byte[] {0, 0, 0, 0, 4, 0x0a, 0x02, 'h', 'i'});
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--http2-prior-knowledge", "--max-time", "10",
                "-D", "-", "-o", "/dev/null", "-H", "content-type: application/grpc", "-H", "te: trailers"));
        for (String e : encodings) {
            command.addAll(List.of("-H", "grpc-encoding: " + e));
        }
        command.addAll(List.of("--data-binary", "@" + body, "http://127.0.0.1:" + service.port() + "/chassis.test.Echo/Say"));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.delete(body);
        return out;
    }

    @Test
    void aCallWithTwoEncodingsIsRefused() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/curl"));
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed).as("curl is installed (.ci/run installs it)").isTrue(); // under CI a skip would hide it
        }
        assumeThat(installed).as("curl is installed (Debian package curl)").isTrue();
        assertThat(call("identity")).as("the control: one encoding").contains("grpc-status: 0");
        String refused = call("x-foo", "identity");
        assertThat(refused).contains("grpc-status: 3").contains("grpc-encoding is sent more than once");
    }
}
