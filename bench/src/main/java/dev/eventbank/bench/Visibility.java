package dev.eventbank.bench;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Command-to-visible: the time from a deposit's 2xx until a {@code minVersion} read of the read side returns that
 * version, one deposit at a time to one account, on an idle system and while other clients write to other accounts.
 * For our stack, a {@link HopObserver} also times when the deposit became readable on each topic of the way
 * ({@code bank-account-events}, then {@code bank-account-state}), which is where the milliseconds go.
 *
 * <p>The totals and the hops come from two passes: the totals from pairs sent back to back with no observer, as for
 * the peer, the hops from a second pass with it. The observer is an extra consumer on the same two cores, and it
 * paces the pairs: each waits for the deposit to reach {@code bank-account-state} (about 100 ms, the projection's
 * commit interval), so the system sleeps between pairs. Measured on a local stack (2026-12-02, three alternations of
 * 1,000 pairs each): the idle p50 was 1.8, 1.7, 1.4 ms without it and 2.4, 2.0, 1.8 ms with it. So the observer exists
 * only during the hops' pass: opened for it and closed after it (until 2026-12-02 midday it was opened before the
 * totals' pass and kept fetching both topics through it, unused).
 */
final class Visibility {

    private Visibility() {
    }

    /**
     * The figures of one measurement: {@code total} (2xx to read answered, from the pass without an observer) and,
     * per observed topic in path order, 2xx to readable there (0 when it was readable before the 2xx reached the
     * client; from the observed pass); microseconds. {@code warmupPairs}: the unmeasured pairs run before, on an idle
     * system ({@link #READ_WARMUP}); 0 under load, which warms itself.
     */
    record Figures(Histogram total, Map<String, Histogram> hops, long warmupPairs) {

        String describe() {
            StringBuilder out = new StringBuilder(String.format("p50 %.1f ms, p99 %.1f ms (%d samples)", ms(total, 50),
                    ms(total, 99), total.getTotalCount()));
            if (!hops.isEmpty()) {
                out.append("; in a second, observed pass (")
                        .append(hops.values().iterator().next().getTotalCount()).append(" samples):");
            }
            hops.forEach((topic, h) -> out.append(String.format(" readable in `%s` p50 %.1f ms, p99 %.1f ms;", topic,
                    ms(h, 50), ms(h, 99))));
            if (!hops.isEmpty()) {
                out.setLength(out.length() - 1);
            }
            return out.toString();
        }

        static double ms(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /**
     * {@code samples} deposits to {@code account}, one at a time, each followed by a {@code minVersion} read;
     * {@code observer} may be null (the peer has no topics to observe).
     */
    static Figures idle(BankClient client, String account, int samples, Supplier<HopObserver> observers) throws Exception {
        // the load runs before warm only the write path; the read path's requests run while the JIT compiles it, and
        // for longer than a few hundred of them: measured on a local stack (2026-12-04, 500-pair rounds right after
        // load) the 2xx-to-visible p50 fell from 3.5 to 1.4 ms over the first 6,000 pairs, and a bench that warmed
        // with 500 pairs measured 2.8 to 3.5 ms where the same stack warmed with 3,000 answered in 0.8 to 1.5 ms. So
        // the same pairs run unmeasured for READ_WARMUP, however many that is, for every system alike
        System.out.printf("bench: warming up the read path (deposit-and-read pairs for %d s, not measured)%n",
                READ_WARMUP.toSeconds());
        long warmupPairs = sample(client, account, Integer.MAX_VALUE, System.nanoTime() + READ_WARMUP.toNanos(), null)
                .total().getTotalCount();
        System.out.printf("bench: measuring command-to-visible on an idle system over %d samples%n", samples);
        Histogram total = sample(client, account, samples, Long.MAX_VALUE, null).total();
        return new Figures(total, hops(client, account, samples, Long.MAX_VALUE, observers), warmupPairs);
    }

    /**
     * The hops' pass ({@link Visibility}), with an observer from {@code observers} open for this pass only; empty when
     * {@code observers} is null (the peer's read side has no topics to observe).
     */
    private static Map<String, Histogram> hops(BankClient client, String account, int samples, long deadline,
                                               Supplier<HopObserver> observers) throws Exception {
        if (observers == null) {
            return Map.of();
        }
        System.out.printf("bench: timing the hops of command-to-visible over %d samples (a second pass, observed)%n", samples);
        try (HopObserver observer = observers.get()) {
            return sample(client, account, samples, deadline, observer).hops();
        }
    }

    /** The longest unmeasured warm-up of the read path before the idle measurement. */
    static final Duration READ_WARMUP = Duration.ofSeconds(20);

    /**
     * The same while {@code clients} other closed-loop clients deposit to {@code others} (never to {@code account}),
     * for at most {@code duration} or {@code samples} samples, whichever comes first.
     */
    static Figures underLoad(BankClient client, String account, List<String> others, int clients, Duration duration,
                             int samples, Supplier<HopObserver> observers) throws Exception {
        System.out.printf("bench: measuring command-to-visible while %d clients write, up to %d samples%n", clients, samples);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // the load starts 5 s before sampling (its own warm-up) and runs a little past the sampling deadlines of both
        // passes (totals, then hops)
        Duration loadWarmup = Duration.ofSeconds(5);
        Duration hopsPass = observers == null ? Duration.ZERO : duration;
        Thread load = new Thread(() -> {
            try {
                LoadRun.run(client, "visibility load, spread", clients, loadWarmup, duration.plus(hopsPass).plusSeconds(2),
                        random -> others.get(random % others.size()), Map.of());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "visibility-load");
        load.setDaemon(true);
        load.start();
        Thread.sleep(loadWarmup.toMillis());
        Histogram total = sample(client, account, samples, System.nanoTime() + duration.toNanos(), null).total();
        Figures figures = new Figures(total, hops(client, account, samples, System.nanoTime() + hopsPass.toNanos(), observers), 0);
        load.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the background load failed", failure.get());
        }
        return figures;
    }

    private static Figures sample(BankClient client, String account, int samples, long deadline, HopObserver observer)
            throws Exception {
        Histogram total = new Histogram(3);
        Map<String, Histogram> hops = new LinkedHashMap<>();
        if (observer != null) {
            observer.watch(account);
            for (String topic : observer.topics()) {
                hops.put(topic, new Histogram(3));
            }
        }
        for (int i = 0; i < samples && System.nanoTime() < deadline; i++) {
            if (observer != null) {
                observer.reset();
            }
            BankClient.Outcome outcome = client.deposit(account);
            long acknowledged = System.nanoTime();
            if (outcome.status() != 200 || client.readAtLeast(account, outcome.version()) != 200) {
                continue;
            }
            total.recordValue((System.nanoTime() - acknowledged) / 1000);
            if (observer != null) {
                Map<String, Long> seen = observer.awaitAll(Duration.ofSeconds(2));
                seen.forEach((topic, at) -> hops.get(topic).recordValue(Math.max(0, at - acknowledged) / 1000));
            }
        }
        return new Figures(total, hops, 0);
    }

    /**
     * A read_committed consumer of the given topics (all partitions, from their end) in the bench's JVM that notes
     * when a record keyed by the watched account first becomes readable on each, after each {@link #reset()}. It
     * stands in for the read side's own consumers: what it sees is what a read_committed reader could see.
     */
    static final class HopObserver implements AutoCloseable {

        private final List<String> topics;
        private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        private final AtomicReference<String> watched = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        HopObserver(Map<String, Object> kafka, List<String> topics) {
            this.topics = List.copyOf(topics);
            Properties properties = new Properties();
            properties.putAll(kafka);
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                    new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(() -> {
                try (consumer) {
                    while (running.get()) {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            if (record.key() != null && record.key().equals(watched.get())) {
                                firstSeen.putIfAbsent(record.topic(), System.nanoTime());
                            }
                        }
                    }
                }
            }, "visibility-observer");
            thread.setDaemon(true);
            thread.start();
        }

        List<String> topics() {
            return topics;
        }

        void watch(String account) {
            watched.set(account);
        }

        /** Forgets what was seen, before the next deposit. */
        void reset() {
            firstSeen.clear();
        }

        /** What was seen on each topic since the last reset, once all were seen or {@code wait} is over (bounded). */
        Map<String, Long> awaitAll(Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (firstSeen.size() < topics.size() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            return Map.copyOf(firstSeen);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }
}
