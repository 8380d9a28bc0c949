package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.Topics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code eventbank.projection.dead.letters}: records the active generation sent to {@code bank-account-events-dlq},
 * read from its producers' {@code producer-topic-metrics} {@code record-send-total} (Kafka's own count, so the
 * projection code needs no meter of its own).
 *
 * <p>Limits: a record sent in a transaction that was then aborted is counted although it never became visible,
 * and its retry counts again (rare: only after a failure); the count starts from 0 with each process and at a
 * rebuild's switch to a new generation (Prometheus' {@code rate()/increase()} treat that as a counter reset).
 */
final class DeadLetterMetrics implements MeterBinder {

    static final String NAME = "eventbank.projection.dead.letters";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    /** @param metrics the active Kafka Streams app's client metrics ({@code KafkaStreams::metrics}) */
    DeadLetterMetrics(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(NAME, this, DeadLetterMetrics::sent)
                .description("records sent to " + Topics.EVENTS_DLQ.name() + " by the active projection")
                .tag("topic", Topics.EVENTS_DLQ.name())
                .register(registry);
    }

    double sent() {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
            MetricName name = entry.getKey();
            if ("producer-topic-metrics".equals(name.group()) && "record-send-total".equals(name.name())
                    && Topics.EVENTS_DLQ.name().equals(name.tags().get("topic"))
                    && entry.getValue().metricValue() instanceof Number sent) {
                total += sent.doubleValue();
            }
        }
        return total;
    }
}
