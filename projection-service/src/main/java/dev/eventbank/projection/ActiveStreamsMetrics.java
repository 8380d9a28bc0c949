package dev.eventbank.projection;

import dev.eventbank.projection.rebuild.ProjectionGeneration;
import dev.eventbank.projection.rebuild.ProjectionGenerations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Micrometer's {@link KafkaStreamsMetrics} ({@code kafka.*} meters) for the <em>active</em> generation: bound to its
 * Kafka Streams app, and re-bound to the new one at a rebuild's switch (the old binder's meters are removed).
 * Limits: the generation being rebuilt is not shown here ({@code GET /admin/rebuild} reports its progress).
 */
final class ActiveStreamsMetrics implements MeterBinder, AutoCloseable {

    private final ProjectionGenerations generations;
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final List<KafkaStreamsMetrics> binders = new ArrayList<>();

    ActiveStreamsMetrics(ProjectionGenerations generations) {
        this.generations = generations;
        generations.onActivated(this::rebind);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        registries.add(registry);
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(generations.active().streams().kafkaStreams());
        binder.bindTo(registry);
        binders.add(binder);
    }

    private synchronized void rebind(ProjectionGeneration generation) {
        close();
        for (MeterRegistry registry : registries) {
            KafkaStreamsMetrics binder = new KafkaStreamsMetrics(generation.streams().kafkaStreams());
            binder.bindTo(registry);
            binders.add(binder);
        }
    }

    @Override
    public synchronized void close() {
        binders.forEach(KafkaStreamsMetrics::close);
        binders.clear();
    }
}
