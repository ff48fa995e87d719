package dev.chassis.discovery.etcd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

import dev.chassis.discovery.Who;
import dev.chassis.testing.Eventually;

/**
 * A real etcd server for tests, from the {@code etcd} binary (Debian's {@code etcd-server} package, which
 * {@code .ci/run} installs). Without the binary the tests are skipped with a message — except under CI
 * ({@code CI=true}), where that is a failure, so that they can never silently stop running.
 */
final class EtcdProcess implements AutoCloseable {
    private final Path data;
    private final int clientPort;
    private final int peerPort;
    private final List<String> tlsFlags;
    private final SSLContext client;
    private Process process;

    private EtcdProcess(Path data, int clientPort, int peerPort, List<String> tlsFlags, SSLContext client) {
        this.data = data;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.tlsFlags = tlsFlags;
        this.client = client;
    }

    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "etcd");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static EtcdProcess start() throws IOException {
        return start(List.of(), null);
    }

    /**
     * An etcd whose client URL is https with {@code certificate} and {@code key}, accepting only clients whose
     * certificate chains to {@code ca} ({@code --client-cert-auth}); {@code client} is how this class reaches it.
     */
    static EtcdProcess startTls(Path certificate, Path key, Path ca, SSLContext client) throws IOException {
        return start(List.of("--cert-file", certificate.toString(), "--key-file", key.toString(),
                "--trusted-ca-file", ca.toString(), "--client-cert-auth"), client);
    }

    private static EtcdProcess start(List<String> tlsFlags, SSLContext client) throws IOException {
        String etcd = binary();
        if (etcd == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("no etcd binary on the PATH, and CI=true: .ci/run installs the Debian"
                        + " package etcd-server; these tests must not stop running silently");
            }
            assumeTrue(false, "no etcd binary on the PATH: install etcd-server (apt-get install etcd-server) to run"
                    + " the etcd discovery tests; skipped");
        }
        EtcdProcess p = new EtcdProcess(Files.createTempDirectory("chassis-etcd"), Who.freePort(), Who.freePort(),
                tlsFlags, client);
        p.launch();
        return p;
    }

    String endpoint() {
        return (tlsFlags.isEmpty() ? "http" : "https") + "://127.0.0.1:" + clientPort;
    }

    /** Starts (again, on the same data and ports) and waits until it answers. */
    void launch() throws IOException {
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(binary(), "--name", "test", "--data-dir", data.toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "test=" + peer));
        command.addAll(tlsFlags);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200));
        if (client != null) {
            builder.sslContext(client);
        }
        HttpClient http = builder.build();
        Path log = data.resolveSibling(data.getFileName() + ".log");
        Eventually.within(Duration.ofSeconds(30)).until("etcd is healthy (log: " + log + ")", () -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return true;
                }
            } catch (IOException e) {
                // not yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited: " + readQuietly(log));
            }
            return false;
        });
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }

    /** SIGKILL, and waits until it is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null) {
            kill();
        }
    }
}
