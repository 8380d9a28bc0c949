package dev.eventbank.command.gateway;

import dev.eventbank.command.logging.CommandMdc;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandResult;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a command to {@code bank-account-commands} (keyed by account id, so it reaches the processor that owns
 * the account) and waits for its committed result from the {@link CommandResultsListener}. An idempotent
 * producer with acks=all: a retried send is never duplicated by the producer, and a duplicate sent by a client
 * retry is answered from the aggregate's recent commands.
 *
 * <p>Limits: a command whose result does not arrive within the timeout is still processed; the caller learns its
 * outcome by polling {@link RecentResults} (what {@code GET /commands/{id}} does).
 */
public final class CommandGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandGateway.class);

    private final KafkaProducer<String, BankAccountCommand> producer;
    private final CommandResultsListener listener;
    private final RecentResults recent;
    private final CommandMetrics metrics;
    private final KafkaClientMetrics producerMetrics;

    public CommandGateway(String bootstrapServers, Serializer<BankAccountCommand> serializer,
                          CommandResultsListener listener, RecentResults recent) {
        this(bootstrapServers, serializer, listener, recent, CommandMetrics.none());
    }

    public CommandGateway(String bootstrapServers, Serializer<BankAccountCommand> serializer,
                          CommandResultsListener listener, RecentResults recent, CommandMetrics metrics) {
        this.listener = listener;
        this.recent = recent;
        this.metrics = metrics;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                // send() runs on the HTTP event loop: never block it long for metadata
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000),
                new StringSerializer(), serializer);
        // fetch the topic's metadata now rather than in the first request
        producer.partitionsFor(Topics.COMMANDS.name());
        this.producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(metrics.registry());
    }

    /**
     * Sends {@code command}; the future holds its result, or is empty when none arrived within {@code timeout},
     * or fails with {@link CommandNotSentException} when Kafka did not take the command.
     */
    public CompletableFuture<Optional<CommandResult>> send(BankAccountCommand command, Duration timeout) {
        long start = System.nanoTime();
        CommandResultsListener.Waiter waiter = listener.await(command.getCommandId(), command.getFingerprint());
        try (CommandMdc mdc = CommandMdc.of(command)) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), command.getAccountId(), command), (metadata, error) -> {
                if (error != null) {
                    // the producer's I/O thread: its own MDC scope
                    try (CommandMdc callbackMdc = CommandMdc.of(command)) {
                        LOG.warn("command not sent accountId={} commandId={} error=\"{}\"", command.getAccountId(),
                                command.getCommandId(), error.toString());
                    }
                    waiter.future().completeExceptionally(new CommandNotSentException(error));
                }
            });
        } catch (RuntimeException e) {
            listener.forget(waiter);
            metrics.notSent(command);
            return CompletableFuture.failedFuture(new CommandNotSentException(e));
        }
        return waiter.future()
                .thenApply(Optional::of)
                .completeOnTimeout(Optional.empty(), timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((result, error) -> {
                    listener.forget(waiter);
                    if (result == null) {
                        metrics.notSent(command);
                        return;
                    }
                    metrics.completed(command, result, start);
                    if (result.isEmpty()) {
                        recent.markPending(command.getCommandId());
                        try (CommandMdc mdc = CommandMdc.of(command)) {
                            LOG.info("command reply timed out accountId={} commandId={} timeoutMs={}",
                                    command.getAccountId(), command.getCommandId(), timeout.toMillis());
                        }
                    }
                });
    }

    public RecentResults recentResults() {
        return recent;
    }

    @Override
    public void close() {
        producerMetrics.close();
        producer.close(Duration.ofSeconds(10));
    }

    /**
     * Kafka did not acknowledge the command (broker unreachable, timeout). It may or may not have been written:
     * a retry with the same Idempotency-Key is applied at most once either way.
     */
    public static final class CommandNotSentException extends RuntimeException {
        CommandNotSentException(Throwable cause) {
            super("the command could not be sent to Kafka: " + cause.getMessage(), cause);
        }
    }
}
