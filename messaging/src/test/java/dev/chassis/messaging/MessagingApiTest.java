package dev.chassis.messaging;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.chassis.core.Chassis;
import dev.chassis.core.RunningService;
import dev.chassis.core.ServiceBuilder;
import dev.chassis.core.http.BindingException;
import dev.chassis.messaging.BrokerContract.OrderPlaced;
import dev.chassis.messaging.BrokerContract.Recorder;

/** Misuse of the API, found at start-up or at the call, whatever the broker. */
class MessagingApiTest {
    private static ServiceBuilder service(String name) {
        return Chassis.service(name).property("server.port", "0").property("server.shutdown.delay", "0s");
    }

    @Test
    void misuseFailsStartUpNamingTheMethodAndTheFix() {
        assertThatThrownBy(() -> service("bad").consume(new Object() {
            @Consume(topic = "t4", group = "g")
            public void twoEvents(OrderPlaced a, OrderPlaced b) {
            }

            @Consume(topic = "bad topic", group = "g")
            public void badTopic(OrderPlaced a) {
            }

            @Consume(topic = "t5", group = "g")
            public String returns(OrderPlaced a) {
                return "";
            }

            @Consume(topic = "t6", group = "g")
            public void noParameter() {
            }

            @Consume(topic = "t7", group = "g", backoff = "soon")
            public void badBackoff(OrderPlaced a) {
            }

            @Consume(topic = "t8", group = "g", maxAttempts = 1000)
            public void tooMany(OrderPlaced a) {
            }
        }).start()).isInstanceOf(BindingException.class)
                .hasMessageContaining("twoEvents takes two event parameters")
                .hasMessageContaining("topic 'bad topic' is not a topic name")
                .hasMessageContaining("returns String")
                .hasMessageContaining("noParameter takes no parameter")
                .hasMessageContaining("backoff 'soon' is not a duration")
                .hasMessageContaining("maxAttempts 1000 is out of range");
        assertThatThrownBy(() -> service("none").consume(new Object()).start())
                .isInstanceOf(BindingException.class).hasMessageContaining("has no @Consume method");
        assertThatThrownBy(() -> service("twice").consume(new Recorder(), new Recorder()).start())
                .isInstanceOf(BindingException.class).hasMessageContaining("already consumes that topic in that group");
        assertThatThrownBy(() -> service("cfg").property("consumers.recorder.on.max-attempts", "0").consume(new Recorder())
                .start()).hasMessageContaining("consumers.recorder.on.max-attempts");
        assertThatThrownBy(() -> service("typo").property("consumers.recorder.onn.max-attempts", "2")
                .consume(new Recorder()).start()).hasMessageContaining("consumers.recorder.onn")
                .hasMessageContaining("names no @Consume handler").hasMessageContaining("recorder.on");
        assertThatThrownBy(() -> service("kafka").property("messaging.broker", "kafka").start())
                .hasMessageContaining("chassis-messaging-kafka");
    }

    @Test
    void publishingChecksItsInput() {
        var b = service("pub");
        Publisher publisher = b.component(Publisher.class);
        assertThatThrownBy(() -> publisher.publish("t9", "k", new OrderPlaced("a", 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has not started");
        RunningService s = b.start();
        try {
            assertThatThrownBy(() -> publisher.publish("no spaces", "k", new OrderPlaced("a", 1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> publisher.publish("t9", "k", null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> publisher.publish("t9", "k", new Object() {
                public Object getSelf() {
                    return this; // a cycle Jackson refuses
                }
            })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be written as JSON");
        } finally {
            s.stop();
        }
    }

}
