package dev.eventbank.bench;

import dev.eventbank.localkafka.KafkaCredentials;
import dev.eventbank.localstack.LocalStack;
import dev.eventbank.localstack.StackPorts;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.common.AccountStatus;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.io.RandomAccessFile;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long the command service takes from process start to healthy ({@code GET /health} UP, i.e. every owned
 * partition's writer has restored its state) on its own stack, with {@code accounts x events-per-account} events in
 * the log written straight into it ({@link EventLogFiller}), in these cases:
 * <ol>
 *   <li>nothing to restore (empty topics): the fixed cost of a start (JVM, Micronaut, group join, fencing);</li>
 *   <li>(a) migration: events in the log, no aggregates: the first owner folds the whole log and writes the
 *   aggregates back;</li>
 *   <li>(b) graceful restart: the local checkpoint files saved on stop are loaded;</li>
 *   <li>(c) a new owner without local files: the state directory deleted, restore from the aggregates topic;</li>
 *   <li>(d) as (c), with the aggregates topic holding one record per event (as under live load before compaction):
 *   {@code accounts x events-per-account} aggregate records written straight to it.</li>
 * </ol>
 * Per-partition figures come from the service's log ({@code partition restored ...}, {@code partition writer
 * ready ... restoreMs=...}). After each restore a few accounts take a deposit through the REST API, which must
 * answer 200 with the account's next version: the restored state is right, not only fast.
 *
 * <p>The projection and query services are stopped before the log is filled, so that projecting a million events
 * does not take the CPU the restore is measured on; the broker, the registry and this program still share it.
 *
 * <p>Limits: one run, no repetition; the aggregates topic is never compacted during the run (segments roll after
 * an hour), so "compacted" cases read every record written, which is what they would read before compaction.
 */
final class RestoreBenchmark {

    private static final String SERVICE = "command-service";
    private static final int SAMPLES_PER_CASE = 4;
    private static final Duration HEALTH_TIMEOUT = Duration.ofMinutes(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern STARTUP = Pattern.compile("Startup completed in (\\d+)ms");
    private static final Pattern KEY_VALUE = Pattern.compile("(\\w+)=([^\\s\"]+)");

    private RestoreBenchmark() {
    }

    /** One measured start. */
    record Case(String name, String meaning, double secondsToHealthy, double micronautStartup, int partitionsRestored,
                boolean allFromFile,
                boolean noneFromFile, long accounts, long aggregateRecordsRead, long eventsRead, long eventsFolded,
                long maxRestoreMs, long maxStateMs, long maxEventsMs, long maxWriteBackMs, long writtenBack,
                String verification, boolean correct) {
    }

    static String section(Path home, int accounts, int perAccount, int partitions) throws Exception {
        long begin = System.nanoTime();
        long events = (long) accounts * perAccount;
        List<Case> cases = new ArrayList<>();
        String fill;
        String aggregatesFill = "";
        System.out.printf("%nbench: restore, starting a stack (%d partitions)%n", partitions);
        try (LocalStack stack = LocalStack.startTemporary(home, "bench-restore-", StackPorts.free(), partitions, Map.of(),
                System.out)) {
            Map<String, Object> kafka = stack.kafkaClientProperties(KafkaCredentials.ADMIN);
            SchemaRegistryClient registry = SchemaRegistryClients.forConfig(stack.registryWriterConfig());
            Verifier verifier = new Verifier(stack.commandUrl(), EventLogFiller.accountIds("bench-restore-", accounts),
                    perAccount, BenchTokens.teller(stack));

            System.out.println("bench: restore, stopping query-service and projection-service (they would project the "
                    + "fill on the same cores)");
            stack.stopService("query-service");
            stack.stopService("projection-service");

            cases.add(restart(stack, "empty", "nothing to restore: empty topics, state files deleted; the fixed cost "
                    + "of a start (JVM, Micronaut, joining the group, fencing each partition)", true, null));

            stack.stopService(SERVICE);
            deleteRecursively(stack.stateDir(SERVICE));
            System.out.printf("bench: restore, producing %,d events (%,d accounts x %d) with %s stopped%n", events,
                    accounts, perAccount, SERVICE);
            double fillSeconds;
            try (Admin admin = admin(kafka);
                 Ticker ignored = new Ticker("events in the log", events, () -> endOffsetSum(admin, Topics.EVENTS.name()))) {
                fillSeconds = EventLogFiller.fill(kafka, registry, verifier.ids, perAccount);
            }
            fill = String.format("%,d events produced in %.1f s", events, fillSeconds);
            cases.add(measure(stack, "(a) migration", "events in the log, no aggregates: the first start folds every "
                    + "event of its partitions and writes the aggregates back (once)", verifier));

            cases.add(restart(stack, "(b) restart", "graceful restart: the state files saved on stop are loaded, then "
                    + "the topics are read from the files' positions", false, verifier));

            cases.add(restart(stack, "(c) new owner", "state directory deleted (a new instance): every record of "
                    + "`bank-account-aggregates` is read, then the events after the checkpoint", true, verifier));

            stack.stopService(SERVICE);
            deleteRecursively(stack.stateDir(SERVICE));
            System.out.printf("bench: restore, writing %,d aggregate records (one per event) to %s with %s stopped%n",
                    events, Topics.AGGREGATES.name(), SERVICE);
            aggregatesFill = writeAggregatePerEvent(kafka, registry, verifier.ids, perAccount);
            cases.add(measure(stack, "(d) new owner, uncompacted", String.format("as (c), with %,d more aggregate "
                    + "records, one per event, as under live load before compaction", events), verifier));
        }
        return report(accounts, perAccount, partitions, fill, aggregatesFill, cases, (System.nanoTime() - begin) / 1e9);
    }

    /** Stops the command service gracefully, deletes its state directory when asked, starts it and measures. */
    private static Case restart(LocalStack stack, String name, String meaning, boolean deleteState, Verifier verifier)
            throws Exception {
        System.out.printf("bench: restore, %s: stopping %s%n", name, SERVICE);
        stack.stopService(SERVICE);
        if (deleteState) {
            deleteRecursively(stack.stateDir(SERVICE));
        } else {
            try (var files = Files.list(stack.stateDir(SERVICE))) {
                System.out.printf("  state files kept: %d in %s%n", files.count(), stack.stateDir(SERVICE));
            }
        }
        return measure(stack, name, meaning, verifier);
    }

    /** Starts the (stopped) command service, waits until healthy printing progress, reads its log, verifies. */
    private static Case measure(LocalStack stack, String name, String meaning, Verifier verifier) throws Exception {
        Path log = stack.logFile(SERVICE);
        long logFrom = Files.exists(log) ? Files.size(log) : 0;
        System.out.printf("bench: restore, %s: starting %s%n", name, SERVICE);
        long start = System.nanoTime();
        stack.startService(SERVICE);
        long pid = stack.pids().get(SERVICE);
        long nextProgress = start + 5_000_000_000L;
        HttpRequest health = HttpRequest.newBuilder(URI.create(stack.commandUrl() + "/health"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (true) {
            try {
                HttpResponse<String> response = HTTP.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            long now = System.nanoTime();
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException(SERVICE + " exited during " + name + ", see " + log);
            }
            if (now - start > HEALTH_TIMEOUT.toNanos()) {
                throw new IllegalStateException(SERVICE + " not healthy after " + HEALTH_TIMEOUT + " in " + name + ", see " + log);
            }
            if (now > nextProgress) {
                nextProgress = now + 5_000_000_000L;
                List<String> lines = logLines(log, logFrom);
                long restored = lines.stream().filter(l -> l.contains("partition restored ")).count();
                String last = lines.stream().filter(l -> l.contains("partition restoring ") && !l.contains("position=0 end=0"))
                        .reduce((a, b) -> b)
                        .map(l -> l.substring(l.indexOf("partition restoring "))).orElse("");
                System.out.printf("  %s: %.0f s, not healthy yet; partitions restored %d; load %s %s%n", name,
                        (now - start) / 1e9, restored, Benchmarks.loadAverage().split(" ")[0], last);
            }
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(200);
        Case measured = figures(name, meaning, seconds, logLines(log, logFrom), verifier == null ? "-" : null, true);
        if (verifier != null) {
            String verification = verifier.verify();
            measured = figures(name, meaning, seconds, logLines(log, logFrom), verification,
                    !verification.contains("WRONG"));
        }
        System.out.printf("  %s: healthy after %.1f s (Micronaut started in %.1f s); %d partitions restored (from local file: %s), accounts %,d, "
                        + "aggregate records read %,d, events read %,d, folded %,d, max restoreMs %,d; %s%n", name, seconds,
                measured.micronautStartup(),
                measured.partitionsRestored(), measured.allFromFile() ? "all" : measured.noneFromFile() ? "none" : "some",
                measured.accounts(), measured.aggregateRecordsRead(), measured.eventsRead(), measured.eventsFolded(),
                measured.maxRestoreMs(), measured.verification());
        return measured;
    }

    /** The per-partition lines of this start, the last one per partition. */
    private static Case figures(String name, String meaning, double seconds, List<String> lines, String verification,
                                boolean correct) {
        Map<String, Map<String, String>> restored = new TreeMap<>();
        Map<String, Map<String, String>> ready = new TreeMap<>();
        Map<String, Map<String, String>> writtenBack = new TreeMap<>();
        double micronautStartup = -1;
        for (String line : lines) {
            Matcher startup = STARTUP.matcher(line);
            if (startup.find()) {
                micronautStartup = Long.parseLong(startup.group(1)) / 1000.0;
            }
            if (line.contains("partition restored ")) {
                Map<String, String> values = keyValues(line.substring(line.indexOf("partition restored ")));
                restored.put(values.get("partition"), values);
            } else if (line.contains("partition writer ready ")) {
                Map<String, String> values = keyValues(line.substring(line.indexOf("partition writer ready ")));
                ready.put(values.get("partition"), values);
            } else if (line.contains("aggregates written back ")) {
                Map<String, String> values = keyValues(line.substring(line.indexOf("aggregates written back ")));
                writtenBack.put(values.get("partition"), values);
            }
        }
        return new Case(name, meaning, seconds, micronautStartup, restored.size(),
                !restored.isEmpty() && restored.values().stream().allMatch(v -> "true".equals(v.get("fromLocalFile"))),
                restored.values().stream().noneMatch(v -> "true".equals(v.get("fromLocalFile"))),
                sum(restored, "accounts"), sum(restored, "aggregateRecordsRead"), sum(restored, "eventsRead"),
                sum(restored, "eventsFolded"), max(ready, "restoreMs"), max(restored, "stateMs"), max(restored, "eventsMs"),
                max(writtenBack, "ms"), sum(writtenBack, "accounts"), verification, correct);
    }

    private static Map<String, String> keyValues(String text) {
        Map<String, String> values = new HashMap<>();
        Matcher matcher = KEY_VALUE.matcher(text);
        while (matcher.find()) {
            values.put(matcher.group(1), matcher.group(2));
        }
        return values;
    }

    private static long sum(Map<String, Map<String, String>> lines, String key) {
        return lines.values().stream().mapToLong(v -> Long.parseLong(v.getOrDefault(key, "0"))).sum();
    }

    private static long max(Map<String, Map<String, String>> lines, String key) {
        return lines.values().stream().mapToLong(v -> Long.parseLong(v.getOrDefault(key, "0"))).max().orElse(0);
    }

    /** The lines appended to {@code log} since byte {@code from}. */
    private static List<String> logLines(Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            byte[] bytes = new byte[(int) Math.max(0, length - from)];
            file.seek(from);
            file.readFully(bytes);
            return List.of(new String(bytes, StandardCharsets.UTF_8).split("\n"));
        }
    }

    /**
     * Deposits 1.00 to {@link #SAMPLES_PER_CASE} accounts not sampled before and again to every account sampled in an
     * earlier case; each must answer 200 with the version after everything the account has had (its
     * {@code perAccount} filled events plus the deposits of earlier cases, + 1). A deposit after a restore proves
     * the restored version and status, and its acceptance by the next restores proves they kept it.
     */
    static final class Verifier {
        final List<String> ids;
        private final BankClient client;
        private final Map<String, Long> versions = new LinkedHashMap<>();
        private final Random random = new Random(42);
        private final int perAccount;

        Verifier(String commandUrl, List<String> ids, int perAccount, String authorization) {
            this.client = new BankClient(commandUrl, commandUrl, authorization);
            this.ids = ids;
            this.perAccount = perAccount;
        }

        String verify() throws Exception {
            for (int i = 0; i < SAMPLES_PER_CASE; i++) {
                String id;
                do {
                    id = ids.get(random.nextInt(ids.size()));
                } while (versions.containsKey(id));
                versions.put(id, (long) perAccount);
            }
            int right = 0;
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, Long> entry : versions.entrySet()) {
                long expected = entry.getValue() + 1;
                BankClient.Outcome outcome = client.deposit(entry.getKey());
                if (outcome.status() == 200 && outcome.version() == expected) {
                    right++;
                } else {
                    wrong.add(String.format("%s answered %d version %d, expected 200 version %d", entry.getKey(),
                            outcome.status(), outcome.version(), expected));
                }
                if (outcome.status() == 200) {
                    entry.setValue(outcome.version());
                }
            }
            String result = right + " of " + versions.size() + " deposits 200 at the expected version";
            if (!wrong.isEmpty()) {
                result += "; WRONG: " + String.join("; ", wrong);
                System.out.println("  VERIFICATION FAILED: " + wrong);
            }
            return result;
        }
    }

    /**
     * Writes {@code perAccount} aggregate records per account to {@code bank-account-aggregates}, keyed by account
     * id (the default partitioner: the event's partition), interleaved by version as live traffic would, each with
     * the {@value Topics#EVENTS_CHECKPOINT_HEADER} header at the end offset of its partition's event log. Versions
     * 1 .. perAccount - 1 are the fold of the filled events; each account's last record is a copy of the latest
     * record the command service wrote for it, so that the topic's latest state stays what the service committed
     * (deposits included), and a restore from it must give the versions the verifier expects.
     */
    private static String writeAggregatePerEvent(Map<String, Object> kafka, SchemaRegistryClient registry, List<String> ids,
                                                 int perAccount) throws Exception {
        Map<String, byte[]> latest = latestAggregates(kafka);
        if (!latest.keySet().containsAll(ids)) {
            throw new IllegalStateException("the aggregates topic lacks " + ids.stream().filter(id -> !latest.containsKey(id))
                    .count() + " of the filled accounts");
        }
        Map<Integer, byte[]> checkpoints = new HashMap<>();
        try (Admin admin = admin(kafka)) {
            endOffsets(admin, Topics.EVENTS.name()).forEach((tp, end) ->
                    checkpoints.put(tp.partition(), Long.toString(end).getBytes(StandardCharsets.US_ASCII)));
        }
        Serializer<AccountAggregate> serializer = AvroSerdes.value(AccountAggregate.class, registry).serializer();
        long total = (long) ids.size() * perAccount;
        AtomicLong sent = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        long start = System.nanoTime();
        try (Ticker ignored = new Ticker("aggregate records produced", total, sent::get);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaConnection.config(kafka, Map.of(
                     ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.LINGER_MS_CONFIG, 20,
                     ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                     ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                     ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024)), new StringSerializer(), new ByteArraySerializer())) {
            Map<String, AccountAggregate> folded = new HashMap<>();
            for (int version = 1; version <= perAccount; version++) {
                for (String id : ids) {
                    byte[] value;
                    if (version < perAccount) {
                        AccountAggregate next = fold(folded.get(id), EventLogFiller.event(id, version, t0));
                        folded.put(id, next);
                        value = serializer.serialize(Topics.AGGREGATES.name(), next);
                    } else {
                        folded.remove(id);
                        value = latest.get(id);
                    }
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(Topics.EVENTS_CHECKPOINT_HEADER,
                            checkpoints.get(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8)))
                                    % checkpoints.size()));
                    producer.send(new ProducerRecord<>(Topics.AGGREGATES.name(), null, id, value, headers),
                            (metadata, error) -> {
                                if (error != null) {
                                    failure.compareAndSet(null, error);
                                }
                            });
                    sent.incrementAndGet();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing aggregates failed: " + failure.get(), failure.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  %,d aggregate records written in %.1f s%n", total, seconds);
        return String.format("%,d aggregate records produced in %.1f s", total, seconds);
    }

    /** The write model after {@code event}, as the command service's fold makes it (the events carry the balance). */
    private static AccountAggregate fold(AccountAggregate before, BankAccountEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof AccountOpened opened) {
            return AccountAggregate.newBuilder().setAccountId(event.getAggregateId())
                    .setAccountNumber(opened.getAccountNumber()).setOwner(opened.getOwner())
                    .setCurrency(opened.getCurrency()).setBalance(opened.getInitialDeposit())
                    .setStatus(AccountStatus.OPEN).setVersion(event.getVersion()).setRecentCommands(List.of()).build();
        }
        BigDecimal balance = payload instanceof MoneyDeposited deposited ? deposited.getBalanceAfter()
                : ((MoneyWithdrawn) payload).getBalanceAfter();
        return AccountAggregate.newBuilder(before).setVersion(event.getVersion()).setBalance(balance).build();
    }

    /** The latest value of every key of {@code bank-account-aggregates} (read_committed, whole topic). */
    private static Map<String, byte[]> latestAggregates(Map<String, Object> kafka) {
        Map<String, byte[]> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaConnection.config(kafka, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000)), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.AGGREGATES.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        return latest;
    }

    private static Admin admin(Map<String, Object> kafka) {
        return Admin.create(KafkaConnection.config(kafka, Map.of()));
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get()
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static long endOffsetSum(Admin admin, String topic) {
        try {
            return endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Prints {@code what}: n of total (rate) every 5 s until closed. */
    private static final class Ticker implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "restore-progress");
            thread.setDaemon(true);
            return thread;
        });

        Ticker(String what, long total, LongSupplier done) {
            long start = System.nanoTime();
            timer.scheduleAtFixedRate(() -> {
                long n = done.getAsLong();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("  %.0f s: %,d of %,d %s (%,.0f/s), load %s%n", seconds, n, total, what, n / seconds,
                        Benchmarks.loadAverage().split(" ")[0]);
            }, 5, 5, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String report(int accounts, int perAccount, int partitions, String fill, String aggregatesFill,
                                 List<Case> cases, double totalSeconds) {
        StringBuilder out = new StringBuilder(String.format("""

                ## Command service restore

                Start to healthy (`GET /health` UP: every owned partition's writer has fenced the previous owner and
                restored its state) of one command-service instance owning all %d partitions, with %,d accounts x %d
                events (%,d events) written straight into `bank-account-events` (%s), on a stack of its own with the
                projection and query services stopped. Figures per start from the service's log: the sums over
                partitions of aggregate records and events read and of events folded in, the largest per-partition
                `restoreMs` (fencing excluded) and the largest time reading the aggregates and outcomes (state) and the
                events (events) of one partition. Partitions restore in parallel, one thread each. After each start,
                %d accounts not used before and every account used in an earlier case take a deposit of 1.00, which
                must answer 200 with the account's next version. "Micronaut started" is the service's own
                `Startup completed in` figure (application context and HTTP server, before the writers start), so
                the rest of "s to healthy" is the JVM launch, joining the group, fencing and restoring. Section took
                %.0f s; load average at its end: %s.

                | case | s to healthy | Micronaut started, s | accounts | aggregate records read | events read | events folded | max restoreMs | max state / events ms | write-back | deposits at the right version |
                |---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
                """, partitions, accounts, perAccount, (long) accounts * perAccount, fill, SAMPLES_PER_CASE, totalSeconds,
                Benchmarks.loadAverage()));
        for (Case c : cases) {
            out.append(String.format("| %s%s | %.1f | %.1f | %,d | %,d | %,d | %,d | %,d | %,d / %,d | %s | %s |%n", c.name(),
                    c.allFromFile() ? " (local files)" : c.noneFromFile() ? "" : " (some local files)",
                    c.secondsToHealthy(), c.micronautStartup(), c.accounts(), c.aggregateRecordsRead(), c.eventsRead(), c.eventsFolded(),
                    c.maxRestoreMs(), c.maxStateMs(), c.maxEventsMs(),
                    c.writtenBack() == 0 ? "-" : String.format("%,d accounts, max %,d ms", c.writtenBack(), c.maxWriteBackMs()),
                    c.verification()));
        }
        out.append("\n");
        for (Case c : cases) {
            out.append("- **").append(c.name()).append("**: ").append(c.meaning()).append(".\n");
        }
        if (!aggregatesFill.isEmpty()) {
            out.append(String.format("%nFor (d): %s, versions 1..%d of each account with the %s header at the end of "
                            + "its partition's event log, each account's last record a copy of the latest one the service "
                            + "wrote, so the topic's latest state is unchanged.%n", aggregatesFill, perAccount - 1,
                    "`" + Topics.EVENTS_CHECKPOINT_HEADER + "`"));
        }
        if (cases.stream().anyMatch(c -> !c.correct())) {
            out.append("\n**A restore gave wrong versions: see the last column.**\n");
        }
        return out.toString();
    }
}
