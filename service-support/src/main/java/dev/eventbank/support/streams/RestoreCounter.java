package dev.eventbank.support.streams;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kafka Streams restore listener that counts the store partitions whose restoration started and has not ended
 * (or been suspended) yet: readiness is DOWN while it is above zero, since a store being restored answers with old
 * data. Set it with {@code KafkaStreams#setGlobalStateRestoreListener} before the app starts; it covers active
 * tasks and global stores, not standbys.
 */
public final class RestoreCounter implements StateRestoreListener {

    private final AtomicInteger restoring = new AtomicInteger();

    /** Store partitions being restored right now (0 or more). */
    public int restoring() {
        return restoring.get();
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        restoring.incrementAndGet();
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        restoring.decrementAndGet();
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        restoring.decrementAndGet();
    }
}
