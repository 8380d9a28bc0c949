package dev.eventbank.projection.totals;

import dev.eventbank.projection.pipeline.AppliedEvent;
import dev.eventbank.projection.pipeline.CommitPacing;
import dev.eventbank.projection.pipeline.ProjectionOutput;
import dev.eventbank.projection.pipeline.Publishing;
import dev.eventbank.projection.pipeline.ReadModel;
import dev.eventbank.schemas.readmodel.BankTotals;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;


/**
 * The bank totals read model's projection, in two steps that together are {@link BankTotalsView#evolve}: in the fold
 * processor each applied event forwards its {@link BankTotalsView#delta} (always: the totals store is kept even while
 * a rebuilt generation publishes nothing); {@link #sum} re-keys the deltas to {@value #KEY}, repartitions them
 * ({@code <app-id>-bank-totals-deltas-repartition}), adds them up with {@link BankTotalsView#plus} into
 * {@code bank-totals-store} and publishes each new total to the compacted {@code bank-totals} topic while publishing.
 *
 * <p>A sum the {@code BankTotals} contract could not hold ({@link BankTotalsView#beyondContract}; none within the bound
 * in {@link BankTotalsView}) is refused by {@link #sumOrRefuse} with a WARN line, never thrown: Avro would throw
 * writing it to the store, the exactly-once task would fail on that delta at every retry and the totals would stop
 * for everyone. A refused delta leaves the totals as they were, so they then miss it until a rebuild.
 *
 * <p>Limits: all deltas go to one key, so one task sums them, which bounds their throughput; the totals lag the
 * account states by one repartition hop.
 */
public final class BankTotalsProjection implements ReadModel {

    /** The bank-wide totals, one entry under {@link #KEY}. */
    public static final String STORE = "bank-totals-store";

    /** Compacted topic with the latest {@code BankTotals} under key {@link #KEY}. */
    public static final String TOPIC = "bank-totals";

    /** The one key of the totals. */
    public static final String KEY = "bank";

    private static final Logger LOG = LoggerFactory.getLogger(BankTotalsProjection.class);

    private ProcessorContext<String, ProjectionOutput> context;

    @Override
    public void init(ProcessorContext<String, ProjectionOutput> context) {
        this.context = context;
    }

    @Override
    public void apply(AppliedEvent applied) {
        context.forward(applied.output(new ProjectionOutput.TotalsChanged(BankTotalsView.delta(applied.before(), applied.after()))));
    }

    @Override
    public String name() {
        return "bank-totals-deltas";
    }

    /**
     * Sums the forwarded deltas into the totals store and publishes the totals (see the class comment); fresh deltas
     * ask for commits by {@code pacing}, so that the summed totals are not held for the backlog commit interval.
     */
    public static void sum(KStream<String, ProjectionOutput> deltas, Serde<BankTotals> totalsSerde, Publishing publishing,
                           CommitPacing pacing) {
        deltas
                // all deltas to one key (one partition): the totals are one record, summed in one place
                .map((key, output) -> KeyValue.pair(KEY, ((ProjectionOutput.TotalsChanged) output).delta()),
                        Named.as("bank-totals-rekey"))
                // the same repartition topic (<app-id>-bank-totals-deltas-repartition) groupByKey would create, made
                // explicit so that the summing task can pace its commits before the (cached) sum
                .repartition(Repartitioned.<String, BankTotals>as("bank-totals-deltas")
                        .withKeySerde(Serdes.String()).withValueSerde(totalsSerde))
                .processValues(() -> new PacedCommits(pacing), Named.as("bank-totals-commit-pacing"))
                .groupByKey(Grouped.with(Serdes.String(), totalsSerde))
                .reduce(BankTotalsProjection::sumOrRefuse, Named.as("bank-totals-sum"),
                        Materialized.<String, BankTotals, KeyValueStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(totalsSerde))
                .toStream(Named.as("bank-totals-changes"))
                // the totals store is always kept; only publishing them waits for the switch, which re-publishes the
                // rebuilt totals once
                .process(() -> new TotalsGate(publishing), Named.as("bank-totals-publish-gate"), STORE)
                .to(TOPIC, Produced.with(Serdes.String(), totalsSerde).withName("bank-totals-sink"));
    }

    /**
     * {@code total} plus {@code delta} ({@link BankTotalsView#plus}), or {@code total} unchanged when the sum has a
     * currency beyond the contract's {@code decimal(51,4)}: then one WARN line names the currencies, the delta and
     * the limit, and the stream thread goes on with the next delta.
     */
    public static BankTotals sumOrRefuse(BankTotals total, BankTotals delta) {
        BankTotals sum = BankTotalsView.plus(total, delta);
        List<String> beyond = BankTotalsView.beyondContract(sum);
        if (beyond.isEmpty()) {
            return sum;
        }
        LOG.warn("bank totals delta refused: the sum would not fit the BankTotals contract currencies={} "
                        + "delta={} limit=decimal({},{}) eventsApplied={}; the totals miss this delta until a rebuild",
                beyond, delta.getBalances(), BankTotalsView.PRECISION, BankTotalsView.SCALE, total.getEventsApplied());
        return total;
    }

    /** Passes each delta on, asking for commits while the deltas are fresh ({@link CommitPacing}). */
    static final class PacedCommits implements FixedKeyProcessor<String, BankTotals, BankTotals> {

        private final CommitPacing pacing;
        private FixedKeyProcessorContext<String, BankTotals> context;
        private CommitPacing.Task commits;

        PacedCommits(CommitPacing pacing) {
            this.pacing = pacing;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, BankTotals> context) {
            this.context = context;
            commits = pacing.forTask(context);
        }

        @Override
        public void process(FixedKeyRecord<String, BankTotals> record) {
            context.forward(record);
            commits.derivedHandled(record.timestamp());
        }
    }

    /**
     * Passes the bank totals on to their topic while {@code publishing} is enabled. In a generation being rebuilt
     * it also re-publishes the totals in {@code bank-totals-store} once when the switch asks for it, on the stream
     * thread of the task that sums them (the totals have one key, so one task holds them; the others find nothing),
     * so the re-published totals are ordered with the next ones and commit in the same exactly-once transactions.
     */
    static final class TotalsGate extends ContextualProcessor<String, BankTotals, String, BankTotals> {

        private final Publishing publishing;
        private TimestampedKeyValueStore<String, BankTotals> totals;

        TotalsGate(Publishing publishing) {
            this.publishing = publishing;
        }

        @Override
        public void init(ProcessorContext<String, BankTotals> context) {
            super.init(context);
            totals = context.getStateStore(STORE);
            publishing.onRepublishRequest(context, "bank-totals", this::republish);
        }

        private void republish(long now) {
            BankTotals current = ValueAndTimestamp.getValueOrNull(totals.get(KEY));
            if (current != null) {
                context().forward(new Record<>(KEY, current, now));
                LOG.info("bank totals re-published task={} eventsApplied={}", context().taskId(),
                        current.getEventsApplied());
            }
        }

        @Override
        public void process(Record<String, BankTotals> record) {
            if (publishing.enabled()) {
                context().forward(record);
            }
        }
    }
}
