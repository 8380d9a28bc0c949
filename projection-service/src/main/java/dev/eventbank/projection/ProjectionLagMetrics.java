package dev.eventbank.projection;

import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.schemas.catalog.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Projection lag per partition of {@code bank-account-events}: {@code eventbank.projection.lag} in records, from
 * the stream threads' consumer metric {@code records-lag} (log end offset - position, as of the last fetch), and
 * {@code eventbank.projection.lag.ms}: 0 when caught up, else now minus the timestamp of the last record processed
 * from that partition ({@link LogProgress}). NaN for a partition this instance does not own right now.
 *
 * <p>Limits: the ms figure is an upper bound (the next unprocessed record is at least as new as the last processed
 * one) and, during a rebuild from old events, shows how old the events being processed are; one gauge per
 * configured partition count, so partitions added to the topic later are not shown; the figures are as fresh as
 * the consumer's last fetch.
 */
public final class ProjectionLagMetrics implements MeterBinder {

    public static final String NAME = "eventbank.projection.lag";
    public static final String MS_NAME = "eventbank.projection.lag.ms";

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final Supplier<LogProgress> progress;
    private final int partitions;
    private final LongSupplier clock;

    /** @param metrics the Kafka Streams app's client metrics ({@code KafkaStreams::metrics}) */
    public ProjectionLagMetrics(Supplier<Map<MetricName, ? extends Metric>> metrics, LogProgress progress, int partitions,
                         LongSupplier clock) {
        this(metrics, () -> progress, partitions, clock);
    }

    /** As above, for the active generation of a projection that is rebuilt (both suppliers follow the switch). */
    ProjectionLagMetrics(Supplier<Map<MetricName, ? extends Metric>> metrics, Supplier<LogProgress> progress, int partitions,
                         LongSupplier clock) {
        this.metrics = metrics;
        this.progress = progress;
        this.partitions = partitions;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (int partition = 0; partition < partitions; partition++) {
            String tag = String.valueOf(partition);
            Gauge.builder(NAME, this, metrics -> metrics.lag(tag))
                    .description("records the projection is behind the end of " + Topics.EVENTS.name())
                    .baseUnit("records")
                    .tag("topic", Topics.EVENTS.name())
                    .tag("partition", tag)
                    .register(registry);
            int number = partition;
            Gauge.builder(MS_NAME, this, metrics -> metrics.lagMs(number))
                    .description("milliseconds the projection is behind on " + Topics.EVENTS.name() + " (upper bound)")
                    .baseUnit("milliseconds")
                    .tag("topic", Topics.EVENTS.name())
                    .tag("partition", tag)
                    .register(registry);
        }
    }

    /** 0 when caught up, else the age of the last processed record of the partition; NaN when unknown. */
    double lagMs(int partition) {
        double records = lag(String.valueOf(partition));
        if (Double.isNaN(records)) {
            return Double.NaN;
        }
        if (records <= 0) {
            return 0;
        }
        Long last = progress.get().lastTimestamp(partition);
        return last == null ? Double.NaN : Math.max(0, clock.getAsLong() - last);
    }

    /** The largest {@code records-lag} any of this app's consumers reports for the partition, NaN if none. */
    public double lag(String partition) {
        double lag = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.get().entrySet()) {
            MetricName name = entry.getKey();
            if ("records-lag".equals(name.name()) && "consumer-fetch-manager-metrics".equals(name.group())
                    && Topics.EVENTS.name().equals(name.tags().get("topic")) && partition.equals(name.tags().get("partition"))
                    && entry.getValue().metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
                lag = Double.isNaN(lag) ? value.doubleValue() : Math.max(lag, value.doubleValue());
            }
        }
        return lag;
    }
}
