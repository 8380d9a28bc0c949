package dev.eventbank.command.writer;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * The partition of an account: murmur2 of the account id's UTF-8 bytes, modulo the partition count, which is
 * what Kafka's default partitioner does with a keyed record. The writer sets the partition explicitly, and keeps
 * to this rule so that every topic keyed by account id (the event log, the aggregates, the read models) puts an
 * account in the same partition number, and a producer of another team keying by account id would agree.
 */
public final class AccountPartitioner {

    private AccountPartitioner() {
    }

    /** The partition, 0 .. partitions - 1, of {@code accountId}. */
    public static int partitionOf(String accountId, int partitions) {
        return Utils.toPositive(Utils.murmur2(accountId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
