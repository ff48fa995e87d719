package dev.chassis.tests.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.Peer;
import dev.chassis.core.RunningService;
import dev.chassis.tests.grpc.proto.EchoGrpc;
import dev.chassis.tests.grpc.proto.EchoReply;
import dev.chassis.tests.grpc.proto.EchoRequest;
import io.grpc.Attributes;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;

/**
 * A gRPC call's peer is the certificate of its own connection, even when another connection comes from the same
 * client address and port: a client reaching two of the server's addresses (127.0.0.1 and 127.0.0.2 here) from one
 * local port. The peer was once looked up by the client's address, and the newest connection from it won: an
 * attacker's calls then ran as the victim's workload.
 */
class GrpcPeerPerConnectionTest {
    private static final Pki PKI = new Pki();
    private static final RunningService SERVICE = PKI.serving(Chassis.service("whoami").grpc(new WhoAmI()),
            PKI.server("whoami")).property("server.host", "0.0.0.0").property("server.tls.client-auth", "optional")
            .start();

    /** Answers with the identity of the call's peer. */
    static final class WhoAmI extends EchoGrpc.EchoImplBase {
        @Override
        public void say(EchoRequest request, StreamObserver<EchoReply> out) {
            out.onNext(EchoReply.newBuilder().setText(Peer.current().identity().orElse("anonymous")).build());
            out.onCompleted();
        }
    }

    @AfterAll
    static void stop() {
        SERVICE.stop();
    }

    /** A channel to {@code serverIp} from 127.0.0.5:{@code localPort}, with {@code certificateAndKey} or none. */
    private static ManagedChannel channel(String serverIp, int localPort, Path[] certificateAndKey) throws IOException {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(PKI.caFile.toFile());
        if (certificateAndKey != null) {
            ssl.keyManager(certificateAndKey[0].toFile(), certificateAndKey[1].toFile());
        }
        return NettyChannelBuilder.forAddress(new InetSocketAddress(serverIp, SERVICE.port())).overrideAuthority("localhost")
                .sslContext(ssl.build()).withOption(ChannelOption.SO_REUSEADDR, true)
                .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                    @Override
                    public SocketAddress createSocketAddress(SocketAddress remote, Attributes attributes) {
                        return new InetSocketAddress("127.0.0.5", localPort);
                    }
                }).build();
    }

    private static String whoami(ManagedChannel channel) {
        return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .say(EchoRequest.newBuilder().setText("?").build()).getText();
    }

    @Test
    void twoConnectionsFromOneAddressKeepTheirOwnPeers() throws Exception {
        int localPort;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.5"))) { // CHECKSTYLE:FQN-OK
            localPort = free.getLocalPort();
        }
        Path[] admin = PKI.write("admin", PKI.ca.issue("admin").spiffe("spiffe://test/admin").create());
        ManagedChannel attacker = channel("127.0.0.2", localPort, null);
        ManagedChannel victim = channel("127.0.0.1", localPort, admin);
        try {
            assertThat(whoami(attacker)).isEqualTo("anonymous");
            assertThat(whoami(victim)).isEqualTo("spiffe://test/admin");
            assertThat(whoami(attacker)).as("the attacker's calls, after the victim connected from its address")
                    .isEqualTo("anonymous");
            assertThat(whoami(victim)).isEqualTo("spiffe://test/admin");
        } finally {
            attacker.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            victim.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
