package dev.eventbank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.localstack.LocalStack;
import dev.eventbank.localstack.StackPorts;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import dev.eventbank.schemas.serde.SchemaRegistryClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The projection rebuild's throughput next to its ceiling, on this machine: starts its own stack (like
 * {@code bin/bench}), fills {@code bank-account-events} with {@code accounts x events-per-account} events produced
 * directly (a KafkaProducer and our Avro serializer, the real envelope, versions 1..n per account), waits until the
 * running projection (generation 0) has projected them, measures a plain KafkaConsumer reading them all (bytes only,
 * then with Avro decoding: the ceiling), then runs the documented command {@code bin/rebuild-projections} against
 * the stack's projection service and measures the rebuild up to the switch. Writes {@code docs/rebuild-benchmark.md}.
 *
 * <p>Limits: the broker, registry, three services and this program share the machine; the query service is still
 * materializing the states generation 0 published while the ceilings run; one run, no repetition.
 */
public final class RebuildBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECTION_GROUP = "bank-account-projection";

    private RebuildBenchmark() {
    }

    record Figure(String what, long events, double seconds) {
        double perSecond() {
            return events / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int accounts = 10_000;
        int perAccount = 100;
        int partitions = 12;
        String commitIntervalMs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--accounts" -> accounts = Integer.parseInt(args[++i]);
                case "--events-per-account" -> perAccount = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--commit-interval-ms" -> commitIntervalMs = String.valueOf(Integer.parseInt(args[++i]));
                case "-h", "--help" -> {
                    System.out.println("usage: bin/bench-rebuild [--accounts 10000] [--events-per-account 100] [--partitions 12] "
                            + "[--commit-interval-ms N (projection service; default its own, 100)]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        Path home = Path.of(System.getProperty("eventbank.home", ".")).toAbsolutePath().normalize();
        long events = (long) accounts * perAccount;
        List<Figure> figures = new ArrayList<>();
        JsonNode rebuild;
        Figure steady;
        long begin = System.nanoTime();
        System.out.printf("bench-rebuild: starting the stack (%d partitions)%n", partitions);
        Map<String, String> properties = commitIntervalMs == null ? Map.of()
                : Map.of("projection-service/eventbank.streams.commit-interval-ms", commitIntervalMs);
        try (LocalStack stack = LocalStack.start(home, Files.createTempDirectory("bench-rebuild-"), StackPorts.free(),
                partitions, properties, System.out)) {
            String bootstrap = stack.bootstrapServers();
            SchemaRegistryClient registry = SchemaRegistryClients.forUrl(stack.registryUrl());

            long fillStart = System.nanoTime();
            figures.add(fill(bootstrap, registry, accounts, perAccount));
            figures.add(awaitProjected(bootstrap, events, fillStart));

            figures.add(plainConsumer(bootstrap, null, events));
            figures.add(plainConsumer(bootstrap, AvroSerdes.value(BankAccountEvent.class, registry).deserializer(), events));

            List<long[]> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicReference<Boolean> running = new AtomicReference<>(true);
            Thread sampler = new Thread(() -> sample(stack.projectionUrl(), samples, running), "rebuild-sampler");
            System.out.printf("%nbench-rebuild: bin/rebuild-projections --url %s%n", stack.projectionUrl());
            long rebuildStart = System.nanoTime();
            Process command = new ProcessBuilder("bash", home.resolve("bin/rebuild-projections").toString(),
                    "--url", stack.projectionUrl(), "--interval", "2").inheritIO().start();
            sampler.start();
            int exit = command.waitFor();
            double commandSeconds = (System.nanoTime() - rebuildStart) / 1e9;
            running.set(false);
            sampler.join();
            if (exit != 0) {
                throw new IllegalStateException("bin/rebuild-projections exited " + exit);
            }
            rebuild = JSON.readTree(get(stack.projectionUrl() + "/admin/rebuild"));
            figures.add(new Figure("rebuild, `bin/rebuild-projections` start to exit (switched, old generation deleted)",
                    rebuild.get("eventsProcessed").asLong(), commandSeconds));
            figures.add(new Figure("rebuild, POST to switch (service's `secondsToSwitch`)",
                    rebuild.get("eventsProcessed").asLong(), rebuild.get("secondsToSwitch").asDouble()));
            steady = steadyRate(samples, rebuild.get("eventsProcessed").asLong());
            if (steady != null) {
                figures.add(steady);
            }
        }
        String report = report(args, accounts, perAccount, partitions, commitIntervalMs == null ? "100" : commitIntervalMs,
                figures, (System.nanoTime() - begin) / 1e9);
        Path out = home.resolve("docs").resolve("rebuild-benchmark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println();
        System.out.println(report);
        System.out.println("bench-rebuild: results written to " + out);
    }

    /** Produces every account's events 1..n, interleaved by version as live traffic would be. */
    private static Figure fill(String bootstrap, SchemaRegistryClient registry, int accounts, int perAccount) throws Exception {
        long total = (long) accounts * perAccount;
        System.out.printf("bench-rebuild: producing %,d events (%,d accounts x %d)%n", total, accounts, perAccount);
        Serializer<BankAccountEvent> serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        String[] ids = new String[accounts];
        for (int i = 0; i < accounts; i++) {
            ids[i] = UUID.nameUUIDFromBytes(("bench-rebuild-" + i).getBytes(StandardCharsets.UTF_8)).toString();
        }
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        long start = System.nanoTime();
        long sent = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024), new StringSerializer(), new ByteArraySerializer())) {
            for (int version = 1; version <= perAccount; version++) {
                for (int i = 0; i < accounts; i++) {
                    BankAccountEvent event = event(ids[i], version, t0.plusSeconds(version * 60L + i % 60));
                    producer.send(new ProducerRecord<>(Topics.EVENTS.name(), ids[i], serializer.serialize(Topics.EVENTS.name(), event)),
                            (metadata, error) -> {
                                if (error != null) {
                                    failure.compareAndSet(null, error);
                                }
                            });
                    if (++sent % 100_000 == 0) {
                        System.out.printf("  produced %,d of %,d events (%.0f events/s)%n", sent, total,
                                sent / ((System.nanoTime() - start) / 1e9));
                    }
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing failed: " + failure.get(), failure.get());
        }
        return new Figure("fill: KafkaProducer + Avro serializer (acks=all, zstd)", total, (System.nanoTime() - start) / 1e9);
    }

    /** Balance 1,000.00 at opening, then deposits of 10.00 and withdrawals of 5.00 in turn. */
    private static BankAccountEvent event(String accountId, int version, Instant at) {
        BigDecimal balance = new BigDecimal("1000.00")
                .add(new BigDecimal("10.00").multiply(BigDecimal.valueOf(version / 2)))
                .subtract(new BigDecimal("5.00").multiply(BigDecimal.valueOf((version - 1) / 2)));
        Object payload;
        String type;
        if (version == 1) {
            type = "AccountOpened";
            payload = AccountOpened.newBuilder().setAccountNumber("NL00EVBK" + accountId.substring(0, 10).replace("-", "0"))
                    .setOwner("Bench Owner").setCurrency("EUR").setInitialDeposit(AvroDecimals.toWire(new BigDecimal("1000.00")))
                    .setAccountType(AccountType.CHECKING).build();
        } else if (version % 2 == 0) {
            type = "MoneyDeposited";
            payload = MoneyDeposited.newBuilder().setAmount(AvroDecimals.toWire(new BigDecimal("10.00"))).setCurrency("EUR")
                    .setBalanceAfter(AvroDecimals.toWire(balance)).build();
        } else {
            type = "MoneyWithdrawn";
            payload = MoneyWithdrawn.newBuilder().setAmount(AvroDecimals.toWire(new BigDecimal("5.00"))).setCurrency("EUR")
                    .setBalanceAfter(AvroDecimals.toWire(balance)).build();
        }
        return BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId(accountId)
                .setAggregateType("BankAccount")
                .setVersion(version)
                .setEventType(type)
                .setOccurredAt(at)
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(payload)
                .build();
    }

    /** Waits until the running projection (generation 0) has committed offsets at the end of the log. */
    private static Figure awaitProjected(String bootstrap, long events, long since) throws Exception {
        System.out.println("bench-rebuild: waiting for the running projection (generation 0) to project them");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long lastPrint = 0;
            while (true) {
                long lag = groupLag(admin, PROJECTION_GROUP);
                if (lag == 0) {
                    return new Figure("live projection by generation 0 while filling (fill start to caught up)", events,
                            (System.nanoTime() - since) / 1e9);
                }
                if (System.nanoTime() - lastPrint > 5e9) {
                    lastPrint = System.nanoTime();
                    System.out.printf("  generation 0 lag %,d events, %.0f s since the fill started%n", lag, (lastPrint - since) / 1e9);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Sum over the log's partitions of end offset - committed offset of {@code group}; -1 while it has none. */
    private static long groupLag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(Topics.EVENTS.name())).allTopicNames().get().get(Topics.EVENTS.name()).partitions()
                .forEach(p -> latest.put(new TopicPartition(Topics.EVENTS.name(), p.partition()), OffsetSpec.latest()));
        var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        long lag = 0;
        for (var end : ends.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            if (position == null && end.getValue().offset() > 0) {
                return -1;
            }
            lag += Math.max(0, end.getValue().offset() - (position == null ? 0 : position.offset()));
        }
        return lag;
    }

    /** The ceiling: one plain consumer reading the whole log from the beginning (read_committed). */
    private static Figure plainConsumer(String bootstrap, Deserializer<BankAccountEvent> decoder, long expected) {
        String what = decoder == null ? "plain KafkaConsumer, bytes only (ceiling)" : "plain KafkaConsumer + Avro decoding (ceiling)";
        System.out.printf("bench-rebuild: %s%n", what);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long start = System.nanoTime();
            long read = 0;
            long checksum = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read++;
                    if (decoder != null) {
                        checksum += decoder.deserialize(Topics.EVENTS.name(), record.value()).getVersion();
                    } else {
                        checksum += record.value().length;
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("  read %,d records in %.1f s (%,.0f/s, checksum %d)%n", read, seconds, read / seconds, checksum);
            if (read < expected) {
                throw new IllegalStateException("read " + read + " records, expected at least " + expected);
            }
            return new Figure(what, read, seconds);
        }
    }

    /** Polls the rebuild status every second: (nanos, events processed) while the command runs. */
    private static void sample(String projectionUrl, List<long[]> samples, AtomicReference<Boolean> running) {
        while (running.get()) {
            try {
                JsonNode status = JSON.readTree(get(projectionUrl + "/admin/rebuild"));
                if (status.get("state").asText().equals("REBUILDING")) {
                    samples.add(new long[] {System.nanoTime(), status.get("eventsProcessed").asLong()});
                }
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the command reports failures; a missed sample only makes the steady figure coarser
            }
        }
    }

    /** Events/s between 10 % and 90 % of the events: the fold's rate without start-up and switch. */
    private static Figure steadyRate(List<long[]> samples, long total) {
        long[] from = samples.stream().filter(s -> s[1] >= total / 10).findFirst().orElse(null);
        long[] to = samples.stream().filter(s -> s[1] <= total * 9 / 10).reduce((a, b) -> b).orElse(null);
        if (from == null || to == null || to[0] <= from[0]) {
            return null;
        }
        return new Figure("rebuild, steady processing (10 % to 90 % of the events, sampled every second)",
                to[1] - from[1], (to[0] - from[0]) / 1e9);
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String report(String[] args, int accounts, int perAccount, int partitions, String commitIntervalMs,
                                 List<Figure> figures, double totalSeconds) throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        long memoryGb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024).orElse(-1L);
        StringBuilder out = new StringBuilder(String.format("""
                # Projection rebuild benchmark

                Generated by `bin/bench-rebuild%s` on %s (whole run %.0f s).

                Machine: %d cores (%s), %d GiB, Java %s. **The broker, the schema registry, the three services and this
                program all share these cores** (and other engineers' builds were running on them), so the figures compare
                with each other on this machine; they are not absolutes. One run each, no repetition.

                Workload: %,d events in `bank-account-events` (%,d accounts x %d events, versions 1..%d, the real Avro
                envelope in Confluent wire format, produced directly, not through the REST API), %d partitions. The
                projection service runs with its defaults: one stream thread per generation, exactly-once v2,
                `commit.interval.ms` %s. The rebuild runs generation 1 next to generation 0, which keeps serving.
                Load average when the report was written: %s.

                | what | events | seconds | events/s |
                |---|---:|---:|---:|
                """, args.length == 0 ? "" : " " + String.join(" ", args),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), totalSeconds,
                Runtime.getRuntime().availableProcessors(), cpu, memoryGb, System.getProperty("java.version"),
                (long) accounts * perAccount, accounts, perAccount, perAccount, partitions, commitIntervalMs,
                Files.readString(Path.of("/proc/loadavg")).trim()));
        for (Figure figure : figures) {
            out.append(String.format("| %s | %,d | %.1f | %,.0f |%n", figure.what(), figure.events(), figure.seconds(),
                    figure.perSecond()));
        }
        out.append("""

                How to read it: the plain consumer is what one client can read from this broker on this machine, the
                ceiling for any rebuild; with Avro decoding it is the ceiling for anything that looks at the events.
                The rebuild does more per event than decoding: a RocksDB read and three writes (state, history and,
                every 100 events, snapshot) with their changelog records, a repartitioned total, all in exactly-once
                transactions, while generation 0, the query service and the broker share the same two cores.
                """);
        return out.toString();
    }
}
