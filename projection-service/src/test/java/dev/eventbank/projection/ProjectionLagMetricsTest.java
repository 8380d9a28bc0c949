package dev.eventbank.projection;

import dev.eventbank.projection.pipeline.LogProgress;
import dev.eventbank.schemas.catalog.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectionLagMetricsTest {

    private final Map<MetricName, Metric> consumerMetrics = new HashMap<>();
    private final LogProgress progress = new LogProgress();
    private final ProjectionLagMetrics lag = new ProjectionLagMetrics(() -> consumerMetrics, progress, 3, () -> 10_000L);

    @Test
    void shouldReportRecordsAndMillisecondsBehindPerPartitionWhenLagging() {
        // given
        recordsLag(0, 0);
        recordsLag(1, 42);
        progress.processed(1, 7_500L);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        // when
        lag.bindTo(registry);

        // then
        assertEquals(0, registry.get(ProjectionLagMetrics.NAME).tag("partition", "0").gauge().value());
        assertEquals(42, registry.get(ProjectionLagMetrics.NAME).tag("partition", "1").gauge().value());
        assertEquals(0, registry.get(ProjectionLagMetrics.MS_NAME).tag("partition", "0").gauge().value());
        assertEquals(2_500, registry.get(ProjectionLagMetrics.MS_NAME).tag("partition", "1").gauge().value());
        assertTrue(Double.isNaN(registry.get(ProjectionLagMetrics.NAME).tag("partition", "2").gauge().value()));
    }

    private void recordsLag(int partition, double value) {
        MetricName name = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "c", "topic", Topics.EVENTS.name(), "partition", String.valueOf(partition)));
        consumerMetrics.put(name, new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
