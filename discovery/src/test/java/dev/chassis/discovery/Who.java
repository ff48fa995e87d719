package dev.chassis.discovery;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.Client;
import dev.chassis.core.http.Get;
import dev.chassis.core.http.Path;
import dev.chassis.testing.Eventually;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

/** Test services of discovery: an "inventory" instance that says which it is, a client of it, child JVMs. */
public final class Who {
    private Who() {
    }

    public record Me(String id) {
    }

    /** {@code GET /who}: this instance's id, after {@code delayMillis}. */
    @Path("/who")
    public static final class WhoApi {
        private final String id;
        public volatile long delayMillis;
        public final AtomicInteger calls = new AtomicInteger();

        public WhoApi(String id) {
            this.id = id;
        }

        @Get
        public Me who() throws InterruptedException {
            calls.incrementAndGet();
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            return new Me(id);
        }
    }

    @Client("inventory")
    public interface Inventory {
        @Get("/who")
        Me who();
    }

    /** The instances {@code calls} calls reached. */
    public static Set<String> seen(Inventory client, int calls) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            ids.add(client.who().id());
        }
        return ids;
    }

    /** gRPC {@code test.Who/Id}: the instance's id, as bytes (no generated code needed). */
    public static final MethodDescriptor<byte[], byte[]> WHO_ID = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Who/Id")
            .setRequestMarshaller(Bytes.INSTANCE).setResponseMarshaller(Bytes.INSTANCE).build();

    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The gRPC service answering {@link #WHO_ID}. */
    public static BindableService grpcWho(String id) {
        return () -> ServerServiceDefinition.builder("test.Who").addMethod(WHO_ID,
                ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(id.getBytes(StandardCharsets.UTF_8));
                    response.onCompleted();
                })).build();
    }

    /** Asks an instance behind a channel who it is. */
    public static String whoOverGrpc(Channel channel) {
        return new String(ClientCalls.blockingUnaryCall(channel, WHO_ID, CallOptions.DEFAULT
                .withDeadlineAfter(2, TimeUnit.SECONDS), new byte[0]), StandardCharsets.UTF_8);
    }

    /** An inventory instance in this JVM, over HTTP ({@code GET /who}) and gRPC ({@code test.Who/Id}). */
    public static RunningService inventory(String id, WhoApi api, Map<String, String> properties) {
        ServiceBuilder b = Chassis.service("inventory").property("server.port", "0")
                .property("server.shutdown.delay", "0s").property("service.instance-id", id);
        properties.forEach(b::property);
        return b.http(api).grpc(grpcWho(id)).start();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** An inventory instance in a child JVM ({@link InstanceMain}); returns once it serves. */
    public static Process child(int port, String id, String... properties) throws IOException {
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                InstanceMain.class.getName(), Integer.toString(port), id));
        cmd.addAll(List.of(properties));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new CopyOnWriteArrayList<>();
        // keeps the pipe drained; ends when the JVM's output does, so a JVM that exits is not waited for
        Thread reader = Thread.ofVirtual().start(() -> out.lines().filter(l -> !seen.contains("STARTED"))
                .forEach(seen::add));
        boolean started = false;
        try {
            started = Eventually.within(Duration.ofSeconds(60)).get("the instance JVM printed STARTED",
                    () -> List.copyOf(seen), lines -> lines.contains("STARTED") || !reader.isAlive())
                    .contains("STARTED");
        } finally {
            if (!started) {
                p.destroyForcibly();
            }
        }
        if (!started) {
            throw new IllegalStateException("the instance JVM did not start:\n" + String.join("\n", seen));
        }
        return p;
    }

}
