package dev.eventbank.localkafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalKafkaBrokerTest {

    @Test
    void shouldCommitTransactionsVisibleToReadCommittedConsumersAndLeaveNothingBehind() throws Exception {
        // given
        LocalKafkaBroker broker = LocalKafkaBroker.startTemporary();
        try {
            // when
            commitOneTransactionAndAbortAnother(broker);

            // then
            assertEquals(List.of("committed"), readCommitted(broker));
            assertTrue(broker.isAlive());
        } finally {
            broker.close();
        }
        // and a temporary broker's directory goes with it
        assertFalse(broker.isAlive());
        assertFalse(Files.exists(broker.dataDir()), broker.dataDir() + " is left behind");
    }

    @Test
    void shouldNotTakeAnotherBrokerOnItsPortForItselfWhenThatPortWasTakenFirst(@TempDir Path dir) throws Exception {
        // given: another cluster already on the port this broker is given, as when a port picked free was taken by
        // another JVM's broker before this one bound it
        try (LocalKafkaBroker other = LocalKafkaBroker.startTemporary()) {
            // when
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> LocalKafkaBroker.start(dir, other.port(), LocalKafkaBroker.freePort()).close());

            // then: the start fails on its own broker's exit instead of answering with the other cluster
            assertTrue(refused.getMessage().contains("exited"), refused.getMessage());
            assertTrue(other.isAlive());
        }
    }

    @Test
    void shouldTakeTheReasonForAFailedStartFromTheFirstExceptionOfThisRunsPartOfTheLog(@TempDir Path dir) throws Exception {
        // a broker that cannot bind its port logs this (the local stack's logging configuration; the cause repeats)
        String earlier = "java.lang.IllegalStateException: an earlier run's failure.\n";
        Path log = Files.writeString(dir.resolve("broker.log"), earlier + """
                11:07:30.890 ERROR DataPlaneAcceptor - Unable to start acceptor for CONTROLLER
                org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:9093: Address already in use.
                \tat kafka.network.Acceptor.openServerSocket(SocketServer.scala:734)
                Caused by: java.net.BindException: Address already in use
                11:07:30.942 ERROR ControllerServer - [ControllerServer id=1] Received a fatal error
                java.lang.RuntimeException: Unable to start acceptor for CONTROLLER
                """);

        assertEquals("Socket server failed to bind to 127.0.0.1:9093: Address already in use",
                LocalKafkaBroker.startupFailureReason(log, earlier.length()));
        assertEquals("an earlier run's failure", LocalKafkaBroker.startupFailureReason(log, 0));
    }

    @Test
    void shouldFindNoReasonInALogWithoutAnExceptionOrWithoutALog(@TempDir Path dir) throws Exception {
        // a broker JVM without a logging provider (this module's tests) logs only SLF4J's warning
        Path log = Files.writeString(dir.resolve("broker.log"), "SLF4J(W): No SLF4J providers were found.\n");

        assertEquals("", LocalKafkaBroker.startupFailureReason(log, 0));
        assertEquals("", LocalKafkaBroker.startupFailureReason(dir.resolve("missing.log"), 0));
    }

    @Test
    void shouldRunAsManyRequestThreadsAsTheMachineHasCoresForIt() throws Exception {
        // given
        int cores = Runtime.getRuntime().availableProcessors();

        try (LocalKafkaBroker broker = LocalKafkaBroker.startTemporary();
             Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            // when
            ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);

            // then
            assertEquals(String.valueOf(LocalKafkaBroker.networkThreads(cores)), config.get("num.network.threads").value());
            assertEquals(String.valueOf(LocalKafkaBroker.ioThreads(cores)), config.get("num.io.threads").value());
        }
    }

    @Test
    void shouldSizeRequestThreadsDownOnSmallMachinesAndKeepKafkasDefaultsOnLargeOnes() {
        // 2 cores (this project's machine): 1 network and 2 I/O threads
        assertEquals(1, LocalKafkaBroker.networkThreads(2));
        assertEquals(2, LocalKafkaBroker.ioThreads(2));
        // 1 core still gets 2 I/O threads: one slow request must not stall every other one
        assertEquals(1, LocalKafkaBroker.networkThreads(1));
        assertEquals(2, LocalKafkaBroker.ioThreads(1));
        assertEquals(2, LocalKafkaBroker.networkThreads(4));
        assertEquals(4, LocalKafkaBroker.ioThreads(4));
        // from 8 cores up: Kafka's defaults
        assertEquals(3, LocalKafkaBroker.networkThreads(8));
        assertEquals(8, LocalKafkaBroker.ioThreads(8));
        assertEquals(3, LocalKafkaBroker.networkThreads(64));
        assertEquals(8, LocalKafkaBroker.ioThreads(64));
    }

    private static void commitOneTransactionAndAbortAnother(LocalKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("local-kafka-check", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "transactional.id", "local-kafka-check"),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("local-kafka-check", "k", "committed"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("local-kafka-check", "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static List<String> readCommitted(LocalKafkaBroker broker) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "group.id", "local-kafka-check",
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("local-kafka-check"));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                records.forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }
}
