package dev.eventbank.projection.pipeline;

import dev.eventbank.projection.state.AccountStateProjection;
import dev.eventbank.schemas.readmodel.AccountStateView;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.serde.SchemaRegistryException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.StringJoiner;

/**
 * The plumbing every read model shares, in one place: decodes one record of the event log, puts its envelope in the
 * MDC ({@link EventMdc}), reports it to {@link LogProgress}, folds it into the account state
 * ({@link AccountStateProjection}), hands each applied event to the read models that follow the state
 * ({@link ReadModel}: history, snapshots, totals) and asks for commits while its events are fresh ({@link CommitPacing}); a
 * record that cannot be decoded or applied goes unchanged to the dead-letter topic
 * with {@link DeadLetterHeaders}. One instance per stream task.
 *
 * <p>While the {@link Publishing} gate is closed (a generation being rebuilt) nothing is dead-lettered (the active
 * generation did it already); when the switch asks, each read model re-publishes once what this task holds, on this
 * stream thread (a wall-clock punctuation), so the pass is ordered with the fold (no older state can overtake a newer
 * one on a compacted topic) and commits in the same exactly-once transactions.
 *
 * <p>Limits: a schema registry that cannot be reached (or answers 5xx) is not the record's fault, so that error is
 * rethrown: the stream thread fails and is replaced, and the record is retried from the last commit.
 */
final class EventFoldProcessor extends ContextualProcessor<String, byte[], String, ProjectionOutput> {

    private static final Logger LOG = LoggerFactory.getLogger(EventFoldProcessor.class);

    private final Deserializer<BankAccountEvent> deserializer;
    private final LogProgress progress;
    private final Publishing publishing;
    private final CommitPacing pacing;
    private final AccountStateProjection state;
    private final List<ReadModel> followers;
    private CommitPacing.Task commits;

    /** @param followers the read models fed with each applied event, in this order */
    EventFoldProcessor(Deserializer<BankAccountEvent> deserializer, LogProgress progress, Publishing publishing,
                       CommitPacing pacing, AccountStateProjection state, List<ReadModel> followers) {
        this.deserializer = deserializer;
        this.progress = progress;
        this.publishing = publishing;
        this.pacing = pacing;
        this.state = state;
        this.followers = List.copyOf(followers);
    }

    @Override
    public void init(ProcessorContext<String, ProjectionOutput> context) {
        super.init(context);
        state.init(context);
        followers.forEach(model -> model.init(context));
        publishing.onRepublishRequest(context, "event-fold", this::republish);
        commits = pacing.forTask(context);
    }

    private void republish(long now) {
        StringJoiner counts = new StringJoiner(" ");
        counts.add(AccountStateProjection.NAME + "=" + state.republish(now));
        for (ReadModel model : followers) {
            long count = model.republish(now);
            if (count >= 0) {
                counts.add(model.name() + "=" + count);
            }
        }
        LOG.info("read models re-published task={} {}", context().taskId(), counts);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        // the stream thread handles records one after the other: its log lines carry this record's ids, and the
        // scope takes them out again whatever happens (a rethrown registry error included)
        try (EventMdc mdc = EventMdc.ofKey(record.key())) {
            fold(record, mdc);
        }
        commits.eventHandled(record.timestamp());
    }

    private void fold(Record<String, byte[]> record, EventMdc mdc) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        progress.processed(source.partition(), record.timestamp());
        BankAccountEvent event;
        try {
            event = deserializer.deserialize(Topics.EVENTS.name(), record.value());
        } catch (RuntimeException e) {
            // the serde says SerializationException; anything else from decoding is the record's fault too
            // a registry that is down, rate-limits or refuses our credentials is not the record's fault: retried
            if (SchemaRegistryException.registryFailed(e)) {
                throw e;
            }
            deadLetter(record, source, e);
            return;
        }
        if (event == null) {
            deadLetter(record, source, new UnprocessableEventException("null value (tombstone) in the event log"));
            return;
        }
        mdc.describe(event);
        if (record.key() == null || !record.key().equals(event.getAggregateId())) {
            deadLetter(record, source, new UnprocessableEventException("record key " + record.key()
                    + " does not match aggregateId " + event.getAggregateId()));
            return;
        }
        AccountStateProjection.Folded folded = state.fold(record.key(), event, record.timestamp());
        AccountStateView.Fold fold = folded.fold();
        if (fold instanceof AccountStateView.Fold.Applied applied) {
            LOG.debug("event applied accountId={} version={} eventType={}", record.key(), event.getVersion(),
                    event.getEventType());
            AppliedEvent change = new AppliedEvent(record.key(), event, record.value(), folded.before(), applied.state(),
                    source.partition(), source.offset(), record.timestamp());
            for (ReadModel model : followers) {
                model.apply(change);
            }
        } else if (fold instanceof AccountStateView.Fold.AlreadyApplied skipped) {
            LOG.debug("event already applied accountId={} version={} storedVersion={}",
                    record.key(), event.getVersion(), skipped.storedVersion());
        } else if (fold instanceof AccountStateView.Fold.Rejected rejected) {
            deadLetter(record, source, new UnprocessableEventException(rejected.reason()));
        } else {
            throw new IllegalStateException("unhandled fold " + fold);
        }
    }

    private void deadLetter(Record<String, byte[]> record, RecordMetadata source, Exception error) {
        if (!publishing.deadLetters()) {
            // the active generation dead-lettered this record already; a rebuild does not repeat it
            LOG.debug("event not dead-lettered again during a rebuild partition={} offset={} reason=\"{}\"",
                    source.partition(), source.offset(), error.getMessage());
            return;
        }
        LOG.warn("event dead-lettered projection={} topic={} partition={} offset={} key={} exception={} reason=\"{}\"",
                AccountStateProjection.NAME, source.topic(), source.partition(), source.offset(), record.key(),
                error.getClass().getSimpleName(), error.getMessage());
        context().forward(record.withValue((ProjectionOutput) new ProjectionOutput.DeadLetter(record.value()))
                .withHeaders(DeadLetterHeaders.of(record.headers(), error, source.topic(), source.partition(),
                        source.offset(), AccountStateProjection.NAME)));
    }

}
