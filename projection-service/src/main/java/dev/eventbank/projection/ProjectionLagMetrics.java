package dev.eventbank.projection;

import dev.eventbank.schemas.catalog.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

import java.util.Map;

/**
 * {@code eventbank.projection.lag} (records, tag {@code partition}): how far the projection is behind the end of
 * {@code bank-account-events}, per partition, from the stream threads' consumer metric {@code records-lag}
 * (log end offset - position, as of the last fetch). NaN for a partition this instance does not own right now.
 *
 * <p>Limits: lag in records only, not milliseconds; one gauge per configured partition count, so partitions
 * added to the topic later are not shown; the figure is as fresh as the consumer's last fetch.
 */
final class ProjectionLagMetrics implements MeterBinder {

    static final String NAME = "eventbank.projection.lag";

    private final KafkaStreams streams;
    private final int partitions;

    ProjectionLagMetrics(KafkaStreams streams, int partitions) {
        this.streams = streams;
        this.partitions = partitions;
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
        }
    }

    /** The largest {@code records-lag} any of this app's consumers reports for the partition, NaN if none. */
    double lag(String partition) {
        double lag = Double.NaN;
        for (Map.Entry<MetricName, ? extends Metric> entry : streams.metrics().entrySet()) {
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
