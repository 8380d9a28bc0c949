package dev.eventbank.command.writer;

import dev.eventbank.schemas.commands.AccountAggregate;
import dev.eventbank.schemas.commands.AccountNumberReservation;
import dev.eventbank.schemas.commands.RecentCommand;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local checkpoint of a partition's {@link PartitionState}, so that a restarted instance does not read the
 * aggregates and outcomes topics from their start: one file per partition,
 * {@code <state-dir>/<transactional-id-prefix>-<partition>.state}, written when the writer stops and every few
 * minutes while it is idle, read when a writer of the partition starts in a new process. The restore then reads
 * the topics from the positions the file records; it can only be behind what is in Kafka, never ahead, because
 * the file holds committed state only, so a stale file costs reading time, never correctness. That holds for the
 * topics the file was written for only: a file records their ids, and one written for other topics (recreated ones,
 * or another cluster's, e.g. a second environment on the same host with the default state directory) is ignored,
 * since their offsets mean other records (loading it lost accounts the partition has and kept ones it has not).
 *
 * <p>Format: a version, the topics' names and ids, the four positions, then the aggregates, outcomes and reservations
 * as key + Avro single-object encoding (which carries the schema's fingerprint: a file written by another schema
 * version fails to decode and is ignored). A file whose positions are past the end of the topics is ignored too.
 * Written to a temporary file and moved into place, so a crash leaves the previous file.
 *
 * <p>Our own code rather than a library: the state is two hash maps and three offsets, written whole; an
 * embedded database (RocksDB, as Kafka Streams uses) would add a native dependency for no gain at this size.
 */
final class PartitionSnapshotFile {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionSnapshotFile.class);
    /**
     * 2 added the account number reservations, 3 the topics' ids; a file of an earlier format is ignored (the restore
     * reads the topics).
     */
    private static final int FORMAT = 3;

    private PartitionSnapshotFile() {
    }

    static Path path(Path dir, String transactionalIdPrefix, int partition) {
        return dir.resolve(transactionalIdPrefix + "-" + partition + ".state");
    }

    /**
     * Writes {@code state}, read from the topics of {@code topicIds} (by name), to {@code file}; logs and gives up on
     * an I/O error (the next restore reads more).
     */
    static void save(Path file, PartitionState state, Map<String, Uuid> topicIds) {
        long start = System.nanoTime();
        Path temporary = null;
        try {
            Files.createDirectories(file.getParent());
            // a name of its own, so two processes sharing the directory never write into one temporary file (each
            // still replaces the other's file, which the other then ignores for its topic ids); a crash's leftovers
            // are deleted by a later save once they are an hour old
            deleteLeftovers(file);
            temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16))) {
                out.writeInt(FORMAT);
                out.writeInt(topicIds.size());
                for (Map.Entry<String, Uuid> topic : new TreeMap<>(topicIds).entrySet()) {
                    out.writeUTF(topic.getKey());
                    out.writeLong(topic.getValue().getMostSignificantBits());
                    out.writeLong(topic.getValue().getLeastSignificantBits());
                }
                out.writeLong(state.eventsCheckpoint);
                out.writeLong(state.aggregatesPosition);
                out.writeLong(state.outcomesPosition);
                out.writeLong(state.reservationsPosition);
                out.writeInt(state.aggregates.size());
                for (Map.Entry<String, AccountAggregate> entry : state.aggregates.entrySet()) {
                    out.writeUTF(entry.getKey());
                    write(out, entry.getValue().toByteBuffer());
                }
                out.writeInt(state.outcomes.size());
                for (Map.Entry<String, RecentCommand> entry : state.outcomes.entrySet()) {
                    out.writeUTF(entry.getKey());
                    write(out, entry.getValue().toByteBuffer());
                }
                out.writeInt(state.reservations.size());
                for (Map.Entry<String, AccountNumberReservation> entry : state.reservations.entrySet()) {
                    out.writeUTF(entry.getKey());
                    write(out, entry.getValue().toByteBuffer());
                }
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("partition state saved partition={} accounts={} outcomes={} reservations={} file={} ms={}",
                    state.partition, state.aggregates.size(), state.outcomes.size(), state.reservations.size(), file, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.warn("partition state not saved partition={} file={} error=\"{}\"", state.partition, file, e.toString());
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // the next save writes another; a leftover is only a file
                }
            }
        }
    }

    /** Deletes the temporary files of {@code file}'s saves that are over an hour old: left by a crash mid-save. */
    private static void deleteLeftovers(Path file) {
        java.time.Instant before = java.time.Instant.now().minus(Duration.ofHours(1));
        try (var leftovers = Files.newDirectoryStream(file.getParent(), file.getFileName() + "*.tmp")) {
            for (Path leftover : leftovers) {
                if (Files.getLastModifiedTime(leftover).toInstant().isBefore(before)) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            LOG.warn("partition state leftovers not deleted file={} error=\"{}\"", file, e.toString());
        }
    }

    /**
     * Reads {@code file} into the empty {@code state}; answers false (and leaves {@code state} empty) when there is
     * no file, it cannot be read, it was written for topics other than {@code topicIds} (by name), or its positions
     * are past {@code aggregatesEnd} / {@code outcomesEnd} / {@code reservationsEnd}.
     */
    static boolean load(Path file, PartitionState state, Map<String, Uuid> topicIds, long aggregatesEnd,
                        long outcomesEnd, long reservationsEnd, Instant now, Duration window) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        long start = System.nanoTime();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != FORMAT) {
                throw new IOException("unknown format");
            }
            Map<String, Uuid> writtenFor = new TreeMap<>();
            int topics = in.readInt();
            for (int i = 0; i < topics; i++) {
                writtenFor.put(in.readUTF(), new Uuid(in.readLong(), in.readLong()));
            }
            if (!writtenFor.equals(new TreeMap<>(topicIds))) {
                LOG.warn("partition state file ignored partition={} file={} reason=\"written for other topics: "
                        + "recreated, or another cluster's\" fileTopicIds=\"{}\" topicIds=\"{}\"", state.partition, file,
                        writtenFor, new TreeMap<>(topicIds));
                return false;
            }
            long eventsCheckpoint = in.readLong();
            long aggregatesPosition = in.readLong();
            long outcomesPosition = in.readLong();
            long reservationsPosition = in.readLong();
            if (aggregatesPosition > aggregatesEnd || outcomesPosition > outcomesEnd || reservationsPosition > reservationsEnd) {
                LOG.warn("partition state file ignored partition={} file={} reason=\"positions past the topics' ends: "
                        + "records were lost\"", state.partition, file);
                return false;
            }
            int aggregates = in.readInt();
            for (int i = 0; i < aggregates; i++) {
                String key = in.readUTF();
                state.aggregates.put(key, AccountAggregate.fromByteBuffer(read(in)));
            }
            int outcomes = in.readInt();
            for (int i = 0; i < outcomes; i++) {
                String key = in.readUTF();
                RecentCommand outcome = RecentCommand.fromByteBuffer(read(in));
                if (!CommandHandler.expired(outcome, now, window)) {
                    state.outcomes.put(key, outcome);
                }
            }
            int reservations = in.readInt();
            for (int i = 0; i < reservations; i++) {
                String key = in.readUTF();
                state.reservations.put(key, AccountNumberReservation.fromByteBuffer(read(in)));
            }
            state.eventsCheckpoint = eventsCheckpoint;
            state.aggregatesPosition = aggregatesPosition;
            state.outcomesPosition = outcomesPosition;
            state.reservationsPosition = reservationsPosition;
            LOG.info("partition state loaded partition={} accounts={} outcomes={} reservations={} file={} ms={}",
                    state.partition, state.aggregates.size(), state.outcomes.size(), state.reservations.size(), file, (System.nanoTime() - start) / 1_000_000);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("partition state file ignored partition={} file={} error=\"{}\"", state.partition, file, e.toString());
            state.aggregates.clear();
            state.outcomes.clear();
            state.reservations.clear();
            return false;
        }
    }

    private static void write(OutputStream out, ByteBuffer buffer) throws IOException {
        ((DataOutputStream) out).writeInt(buffer.remaining());
        out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
    }

    private static ByteBuffer read(InputStream in) throws IOException {
        DataInputStream data = (DataInputStream) in;
        byte[] bytes = new byte[data.readInt()];
        data.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }
}
