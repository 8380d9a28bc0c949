package dev.eventbank.bench;

import dev.eventbank.bench.proc.ProcStat;
import dev.eventbank.localkafka.KafkaCredentials;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.localstack.LocalStack;
import dev.eventbank.localstack.StackPorts;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
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
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The projection rebuild's throughput next to its ceiling, on this machine: starts its own stack, fills {@code bank-account-events} with {@code accounts x events-per-account} events produced
 * directly (a KafkaProducer and our Avro serializer, the real envelope, versions 1..n per account), waits until the
 * running projection (generation 0) has projected them, measures a plain KafkaConsumer reading them all (bytes only,
 * then with Avro decoding: the ceiling; after one unmeasured pass, so that neither figure includes the JIT's warm-up),
 * then runs the documented command {@code bin/rebuild-projections} against
 * the stack's projection service and measures each rebuild up to the switch, with the CPU the stack used meanwhile
 * and the JIT compilers' part of it: two to five rebuilds, up to the first after the first whose JIT compilers were
 * quiet or did no less than in the one before ({@link #lastRebuild}), the warm one.
 *
 * <p>Limits: the broker, registry, three services and this program share the machine; the query service is still
 * materializing the states generation 0 published while the ceilings run; one run of the section, no repetition.
 * The JIT's share is judged over a whole rebuild (start to exit of the command), not the steady window alone; and
 * {@link ProcStat#treeCompilerTicks} counts the compiler threads alive at each reading, so on a machine where HotSpot
 * stops idle compiler threads (more than two CPUs) a rebuild can look quieter than it was.
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

    /**
     * Runs the whole measurement on its own stack and returns the report's section. {@code rebuild} is the command
     * that rebuilds the projections ({@code bin/rebuild-projections}).
     */
    static String section(Path home, Path rebuild, int accounts, int perAccount, int partitions) throws Exception {
        long events = (long) accounts * perAccount;
        List<Figure> figures = new ArrayList<>();
        Map<String, CpuUse> cpuByRebuild = new LinkedHashMap<>();
        long begin = System.nanoTime();
        System.out.printf("%nbench: rebuild, starting a stack (%d partitions)%n", partitions);
        try (LocalStack stack = LocalStack.startTemporary(home, "bench-rebuild-", StackPorts.free(),
                partitions, Map.of(), System.out)) {
            Map<String, Object> kafka = stack.kafkaClientProperties(KafkaCredentials.ADMIN);
            SchemaRegistryClient registry = SchemaRegistryClients.forConfig(stack.registryWriterConfig());
            String operator = BenchTokens.operatorToken(stack);

            System.out.printf("bench: rebuild, producing %,d events (%,d accounts x %d)%n", events, accounts, perAccount);
            long fillStart = System.nanoTime();
            double fillSeconds = EventLogFiller.fill(kafka, registry, EventLogFiller.accountIds("bench-rebuild-", accounts),
                    perAccount);
            figures.add(new Figure("fill: KafkaProducer + Avro serializer (acks=all, zstd)", events, fillSeconds));
            figures.add(awaitProjected(kafka, events, fillStart));

            Deserializer<BankAccountEvent> decoder = AvroSerdes.value(BankAccountEvent.class, registry).deserializer();
            // one unmeasured pass first: a ceiling read while the JIT compiles the consumer and the decoder is no
            // ceiling (measured 2026-12-02: over 1,000,000 events the bytes-only read, then first, did 271,583/s and
            // the decoding read after it 417,954/s; over 100,000 events the decoding read did 120,000 to 300,000/s)
            plainConsumer(kafka, decoder, events, "warm-up, not measured");
            figures.add(plainConsumer(kafka, null, events, "plain KafkaConsumer, bytes only (one read)"));
            // the ceiling is the median of three decoding reads: one read takes 1 to 3 s here, and single reads put it
            // anywhere from 370,745 to 1,087,107 events/s in runs of the same day (2026-12-04), a spread the share of
            // one rebuild against it took over
            List<Figure> decoding = new ArrayList<>();
            for (int read = 1; read <= CEILING_READS; read++) {
                decoding.add(plainConsumer(kafka, decoder, events, "plain KafkaConsumer + Avro decoding, read " + read));
            }
            figures.addAll(decoding);
            figures.add(median(decoding, CEILING));

            // the first rebuild's code is new to the projection service's JIT compilers (its C2 compiler thread took
            // half of the process's CPU samples during the first bulk load, 2026-12-04), and the second still has
            // them compile and recompile much of Kafka's client and Streams code (7.3 of 25.0 s and 4.1 of 15.5 s of
            // the stack's CPU: docs/benchmarks-2026-12-05-rebuild-noon-6.md and -7.md): rebuilds go on until one
            // whose compilers were quiet, as the load sections warm up until theirs are (by a rule of their own);
            // every one is reported
            Map<String, List<Long>> processes = Benchmarks.processGroups(stack.pids());
            for (int i = 0; i < REBUILD_NAMES.size(); i++) {
                String which = REBUILD_NAMES.get(i);
                Run run = rebuild(rebuild, stack.projectionUrl(), operator, which, processes);
                figures.addAll(run.figures());
                cpuByRebuild.put(which, run.cpu());
                if (lastRebuild(i, run.cpu(), i == 0 ? null : cpuByRebuild.get(REBUILD_NAMES.get(i - 1)))) {
                    break;
                }
            }
        }
        return report(accounts, perAccount, figures, cpuByRebuild, (System.nanoTime() - begin) / 1e9);
    }

    /** One rebuild's figures, and the CPU the stack and the machine used from its command's start to its exit. */
    private record Run(List<Figure> figures, CpuUse cpu) {
    }

    /**
     * Runs {@code rebuild} (the command) once to its end, sampling the service's status every
     * {@link #SAMPLE_INTERVAL}; returns its figures, named after {@code which}, and the CPU the stack's
     * {@code processes} used meanwhile (null where {@code /proc} gives nothing).
     */
    private static Run rebuild(Path rebuild, String projectionUrl, String operator, String which,
                               Map<String, List<Long>> processes) throws Exception {
        List<long[]> samples = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sample(projectionUrl, operator, samples, running), "rebuild-sampler");
        System.out.printf("%nbench: %s rebuild: %s --url %s%n", which, rebuild.getFileName(), projectionUrl);
        ProcStat.Snapshot cpuBefore = ProcStat.snapshot(processes);
        long rebuildStart = System.nanoTime();
        ProcessBuilder rebuildCommand = new ProcessBuilder("bash", rebuild.toString(), "--url", projectionUrl,
                "--interval", "2").inheritIO();
        // the rebuild API takes an operator's token; the script reads it from the environment (not the command line)
        rebuildCommand.environment().put("EVENTBANK_TOKEN", operator);
        Process command = rebuildCommand.start();
        sampler.start();
        int exit = command.waitFor();
        double commandSeconds = (System.nanoTime() - rebuildStart) / 1e9;
        CpuUse cpu = CpuUse.between(cpuBefore, ProcStat.snapshot(processes));
        running.set(false);
        sampler.join();
        if (exit != 0) {
            throw new IllegalStateException(rebuild + " exited " + exit);
        }
        JsonNode status = JSON.readTree(get(projectionUrl + "/admin/rebuild", operator));
        List<Figure> figures = new ArrayList<>();
        figures.add(new Figure(which + " rebuild, `bin/rebuild-projections` start to exit (switched, old generation deleted)",
                status.get("eventsProcessed").asLong(), commandSeconds));
        figures.add(new Figure(which + " rebuild, POST to switch (service's `secondsToSwitch`)",
                status.get("eventsProcessed").asLong(), status.get("secondsToSwitch").asDouble()));
        Figure steady = steadyRate(samples, status.get("eventsProcessed").asLong(), which);
        if (steady != null) {
            figures.add(steady);
        }
        return new Run(figures, cpu);
    }

    /**
     * The report's line naming the warm rebuild: the last of {@code cpuByRebuild} (the rebuilds run, in order, at
     * least one, each with its CPU, null where {@code /proc} gave nothing), where the loop stopped because its JIT
     * compilers were quiet or had levelled ({@link #lastRebuild}); or that none was warm by the rule.
     */
    static String warmLine(Map<String, CpuUse> cpuByRebuild) {
        List<String> names = new ArrayList<>(cpuByRebuild.keySet());
        int index = names.size() - 1;
        String last = names.get(index);
        CpuUse lastCpu = cpuByRebuild.get(last);
        CpuUse before = index > 0 ? cpuByRebuild.get(names.get(index - 1)) : null;
        // the loop's own rule says whether the last is warm; this only says which half of it held
        if (!lastRebuild(index, lastCpu, before)) {
            return String.format("No rebuild after the first had its JIT compiler threads use under %.0f %% of the "
                    + "stack's CPU, nor, from the third, their CPU fall by less than a tenth (or rise) from the one before (%d "
                    + "rebuilds%s): none is warm by this rule.%n", 100 * JIT_QUIET_SHARE, names.size(),
                    names.size() == REBUILD_NAMES.size() ? ", the most it runs" : "");
        }
        if (unread(lastCpu)) {
            return String.format("The warm rebuild: the %s, taken as warm without CPU figures to tell (none were read)."
                    + "%n", last);
        }
        if (jitQuiet(lastCpu)) {
            return String.format("The warm rebuild: the %s, the first rebuild after the first one whose JIT compiler "
                    + "threads used under %.0f %% of the stack's CPU.%n", last, 100 * JIT_QUIET_SHARE);
        }
        return String.format("The warm rebuild: the %s, the first whose JIT compiler threads' CPU did not fall by a "
                        + "tenth or more from the one before (%.1f s against %.1f s; %.0f %% of the stack's CPU).%n", last,
                lastCpu.compilerMillis() / 1000, before.compilerMillis() / 1000,
                100 * lastCpu.compilerMillis() / lastCpu.systemMillis());
    }

    /**
     * The report's line on the CPU of rebuild {@code which} ({@code first}, {@code second}, ...) from its command's
     * start to its exit: the stack's processes in all, by group, the part of it in the JVMs' JIT compiler threads (and
     * against theirs in the rebuild {@code before}, null for none or unknown), how busy the machine was and the share
     * of it neither the stack nor this program used (other processes, interrupts); empty when {@code cpu} is null.
     */
    static String cpuLine(String which, CpuUse cpu, CpuUse before) {
        if (cpu == null) {
            return "";
        }
        StringBuilder groups = new StringBuilder();
        cpu.groupMillis().forEach((group, millis) ->
                groups.append(groups.isEmpty() ? "" : ", ").append(String.format("%s %.1f", group, millis / 1000)));
        String jitShare = "";
        if (cpu.systemMillis() > 0) {
            jitShare = String.format(" (%.0f %% of it", 100 * cpu.compilerMillis() / cpu.systemMillis());
            if (before != null && before.compilerMillis() > 0) {
                jitShare += String.format(", %.0f %% of theirs in the one before", 100 * cpu.compilerMillis()
                        / before.compilerMillis());
            }
            jitShare += ")";
        }
        return String.format("The %s rebuild (`bin/rebuild-projections` start to exit): the stack's processes used %.1f s "
                        + "of CPU (%s), %.1f s of it in the JVMs' JIT compiler threads%s; machine busy %.0f %% (other "
                        + "processes and interrupts %.0f %%), steal %.0f %%.%n", which, cpu.systemMillis() / 1000, groups,
                cpu.compilerMillis() / 1000, jitShare, 100 * cpu.machineBusy(), 100 * cpu.restBusy(), 100 * cpu.steal());
    }

    /** Waits until the running projection (generation 0) has committed offsets at the end of the log. */
    private static Figure awaitProjected(Map<String, Object> kafka, long events, long since) throws Exception {
        System.out.println("bench: rebuild, waiting for the running projection (generation 0) to project them");
        try (Admin admin = Admin.create(KafkaConnection.config(kafka, Map.of()))) {
            long lastPrint = 0;
            while (true) {
                long lag = groupLag(admin, PROJECTION_GROUP);
                if (lag == 0) {
                    return new Figure("live projection by generation 0 while filling (fill start to caught up)", events,
                            (System.nanoTime() - since) / 1e9);
                }
                if (System.nanoTime() - lastPrint > 5e9) {
                    lastPrint = System.nanoTime();
                    // offsets, not events: each transaction's marker takes one too
                    String behind = lag < 0 ? "has not committed offsets on every partition yet"
                            : String.format("lag %,d offsets (events and transaction markers)", lag);
                    System.out.printf("  generation 0 %s, %.0f s since the fill started%n", behind, (lastPrint - since) / 1e9);
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

    /** The row of the ceiling the issue compares a rebuild with. */
    private static final String CEILING = "plain KafkaConsumer + Avro decoding, median of the reads (ceiling)";

    /** How many times the decoding consumer reads the log for the ceiling (an odd count: the median is one read). */
    static final int CEILING_READS = 3;
    private static final String STEADY = "rebuild, steady processing (10 % to 90 % of the events, sampled every 250 ms)";
    /** The rebuilds' names, in order: at most this many run. */
    private static final List<String> REBUILD_NAMES = List.of("first", "second", "third", "fourth", "fifth");

    /** A rebuild is warm when the JVMs' JIT compiler threads used less than this share of the stack's CPU in it. */
    static final double JIT_QUIET_SHARE = 0.10;

    /** The JIT's CPU in a rebuild, against the one before, from which it has stopped falling. */
    static final double JIT_LEVELLED_SHARE = 0.90;

    /** Whether {@code cpu} tells nothing: null ({@code /proc} gave nothing), or no CPU read for the stack. */
    private static boolean unread(CpuUse cpu) {
        return cpu == null || cpu.systemMillis() <= 0;
    }

    /**
     * Whether the JIT compilers were quiet in a rebuild that used {@code cpu}: their threads took less than
     * {@link #JIT_QUIET_SHARE} of the stack's CPU (the broker alone takes more, about a sixth).
     */
    static boolean jitQuiet(CpuUse cpu) {
        return cpu.compilerMillis() < JIT_QUIET_SHARE * cpu.systemMillis();
    }

    /**
     * Whether rebuild number {@code index} (0 for the first) that used {@code cpu} ({@code before} the one before it,
     * null for the first) is the last to run: never the first (its code is new to the JIT in any case); from the
     * second on, once the JIT compilers were quiet ({@link #jitQuiet}) or, from the third on, once their CPU stopped
     * falling ({@link #jitLevelled}); or when there is nothing to tell it by ({@code cpu} null, or no CPU read for the
     * stack): then after the second, as before this rule. {@link #REBUILD_NAMES} bounds the rest.
     */
    static boolean lastRebuild(int index, CpuUse cpu, CpuUse before) {
        if (index == 0) {
            return false;
        }
        if (unread(cpu) || jitQuiet(cpu)) {
            return true;
        }
        return index > 1 && before != null && jitLevelled(cpu, before);
    }

    /**
     * Whether the JIT compilers' CPU stopped falling from one rebuild ({@code before}) to the next ({@code cpu}): it
     * took at least {@link #JIT_LEVELLED_SHARE} of what it took in the one before. Why: the compilers kept taking 2.2
     * to 2.3 s of every rebuild from the fourth on (docs/benchmarks-2026-12-05-rebuild-warm-1.md), never a tenth of
     * the stack's CPU; a rebuild after which they do not do less is as warm as this service gets.
     */
    static boolean jitLevelled(CpuUse cpu, CpuUse before) {
        return cpu.compilerMillis() >= JIT_LEVELLED_SHARE * before.compilerMillis();
    }

    /** The read of {@code reads} with the median rate, renamed {@code what}. */
    static Figure median(List<Figure> reads, String what) {
        List<Figure> sorted = new ArrayList<>(reads);
        sorted.sort(java.util.Comparator.comparingDouble(Figure::perSecond));
        Figure middle = sorted.get(sorted.size() / 2);
        return new Figure(what, middle.events(), middle.seconds());
    }

    /**
     * A ceiling: one plain consumer reading the whole log from the beginning (read_committed), decoding each value
     * with {@code decoder} (null: bytes only); {@code what} names the figure.
     */
    private static Figure plainConsumer(Map<String, Object> kafka, Deserializer<BankAccountEvent> decoder, long expected,
                                        String what) {
        System.out.printf("bench: rebuild, %s%n", what);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaConnection.config(kafka, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024)), new ByteArrayDeserializer(),
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

    /**
     * How often the status is sampled: a bulk load of the bench's 1,000,000 events takes about 5 s, so a 1 s sample
     * left one or two samples between 10 % and 90 %.
     */
    private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(250);

    /** Polls the rebuild status every {@link #SAMPLE_INTERVAL}: (nanos, events processed) while the command runs. */
    private static void sample(String projectionUrl, String operator, List<long[]> samples, AtomicBoolean running) {
        while (running.get()) {
            try {
                JsonNode status = JSON.readTree(get(projectionUrl + "/admin/rebuild", operator));
                if (status.get("state").asText().equals("REBUILDING")) {
                    samples.add(new long[] {System.nanoTime(), status.get("eventsProcessed").asLong()});
                }
                Thread.sleep(SAMPLE_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the command reports failures; a missed sample only makes the steady figure coarser
            }
        }
    }

    /** Events/s between 10 % and 90 % of the events: the fold's rate without start-up and switch. */
    private static Figure steadyRate(List<long[]> samples, long total, String which) {
        long[] from = samples.stream().filter(s -> s[1] >= total / 10).findFirst().orElse(null);
        long[] to = samples.stream().filter(s -> s[1] <= total * 9 / 10).reduce((a, b) -> b).orElse(null);
        if (from == null || to == null || to[0] <= from[0]) {
            return null;
        }
        return new Figure(which + " " + STEADY, to[1] - from[1], (to[0] - from[0]) / 1e9);
    }

    /** {@code GET url} as an operator ({@code token}: the JWT without {@code Bearer }). */
    private static String get(String url, String token) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String report(int accounts, int perAccount, List<Figure> figures, Map<String, CpuUse> cpuByRebuild,
                                 double totalSeconds) throws IOException {
        StringBuilder out = new StringBuilder(String.format("""

                ## Projection rebuild

                %,d events in `bank-account-events` (%,d accounts x %d events, the real Avro envelope, produced
                directly rather than through the REST API), on a stack of its own with the projection service's defaults
                (one stream thread per generation, exactly-once v2; fresh events commit every 100 ms, older ones, so the
                whole rebuild, every second: `CommitPacing`). `bin/rebuild-projections`
                runs generation 1 next to generation 0, which keeps serving, then generation 2 next to generation 1,
                and so on: the first rebuild's code is new to the service's JIT compilers, and the next ones run until
                one whose JIT compiler threads used under %.0f %% of the stack's CPU, or, from the third, no less than
                %.0f %% of their CPU in the one before (the warm rebuild; at most %d rebuilds), each reported. The plain
                consumers read the log once unmeasured before their figures (JIT warm-up); the decoding one then reads
                it %d times, and the median of those is the ceiling. Section took %.0f s; load
                average at its end: %s.

                | what | events | seconds | events/s |
                |---|---:|---:|---:|
                """, (long) accounts * perAccount, accounts, perAccount, 100 * JIT_QUIET_SHARE, 100 * JIT_LEVELLED_SHARE,
                REBUILD_NAMES.size(),
                CEILING_READS, totalSeconds,
                Benchmarks.loadAverage()));
        for (Figure figure : figures) {
            out.append(String.format("| %s | %,d | %.1f | %,.0f |%n", figure.what(), figure.events(), figure.seconds(),
                    figure.perSecond()));
        }
        Figure ceiling = figures.stream().filter(f -> f.what().equals(CEILING)).findFirst().orElseThrow();
        out.append(System.lineSeparator());
        for (String which : cpuByRebuild.keySet()) {
            figures.stream().filter(f -> f.what().equals(which + " " + STEADY)).findFirst().ifPresent(steady ->
                    out.append(String.format("The %s rebuild's steady rate is %.1f %% of the plain decoding consumer's.%n",
                            which, 100 * steady.perSecond() / ceiling.perSecond())));
        }
        out.append(System.lineSeparator());
        CpuUse before = null;
        for (Map.Entry<String, CpuUse> rebuilt : cpuByRebuild.entrySet()) {
            out.append(cpuLine(rebuilt.getKey(), rebuilt.getValue(), before));
            before = rebuilt.getValue();
        }
        out.append(System.lineSeparator()).append(warmLine(cpuByRebuild));
        out.append("""

                The plain consumer is what one client reads from this broker on this machine: bytes only, the
                ceiling for any rebuild (one read, which on this shared machine can come out below the decoding
                reads); with Avro decoding, the ceiling for anything that looks at the events, the one the shares use. The rebuild does more
                per event: its bulk load (the steady rate) folds the log with a plain consumer and writes a history
                record per event, every 100 events a snapshot and, per transaction, each changed account's state and
                the totals into the new generation's changelogs; then Kafka Streams restores its stores from them and
                processes what was written since, before the switch; while generation 0, the query service and the
                broker share the same cores. With `EVENTBANK_REBUILD_BULK_LOAD_ENABLED=false` Kafka Streams folds every
                event itself: a RocksDB read and three writes (state, history and, every 100 events, a snapshot) with
                their changelog records and a repartitioned total, in exactly-once transactions.
                """);
        return out.toString();
    }
}
