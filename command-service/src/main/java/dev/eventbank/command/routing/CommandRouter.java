package dev.eventbank.command.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.command.access.Caller;
import dev.eventbank.command.logging.CommandMdc;
import dev.eventbank.command.ownership.OwnerDirectory;
import dev.eventbank.command.ownership.PartitionOwnership;
import dev.eventbank.command.security.InstanceCredentials;
import dev.eventbank.command.writer.AccountNumbers;
import dev.eventbank.command.writer.AccountPartitioner;
import dev.eventbank.command.writer.NotCommittedException;
import dev.eventbank.command.writer.NotOwnerException;
import dev.eventbank.command.writer.PartitionWriter;
import dev.eventbank.command.writer.QueueFullException;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.text.TextRule;
import io.micronaut.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gets a command decided by the owner of its account's partition: this instance's {@link PartitionWriter} when
 * it owns the partition, else the owner found in the {@link OwnerDirectory}, over HTTP
 * ({@value #INTERNAL_PATH}, the command and its result in Avro single-object encoding). While a partition
 * moves (no owner yet, a former owner that answers "not owner") it asks again, a little later and with a fresh
 * directory, until the reply timeout.
 *
 * <p>The future completes with the committed outcome, or fails with {@link NotCommittedException} when no
 * outcome is known within the timeout: then the command may or may not have been committed, and a retry with the
 * same {@code Idempotency-Key} tells which (it answers the first outcome or decides the command, once).
 *
 * <p>The writer that decides a command gets the caller's reply deadline with it (to another instance as
 * {@value #REPLY_WITHIN_HEADER} and {@value #REPLY_BY_HEADER}) and skips it if that passed before it could decide it. A writer whose queue is full
 * refuses the command at once: the future fails with {@link QueueFullException} (nothing applied), from another
 * instance too (it answers 429).
 *
 * <p>A forwarded command is never forwarded again: the receiving instance decides it or answers 421.
 *
 * <p>Who sent a command ({@link Caller}) goes with it: locally to the writer, and to another instance as the
 * caller's own {@code Authorization} header, which that instance checks again (signature, expiry, issuer,
 * audience, roles) before its writer applies the account's rules: an owner trusts no claim of the forwarding
 * instance, only the token. Beside it goes this instance's own credential ({@value InstanceCredentials#HEADER},
 * {@link InstanceCredentials}), without which the owner's internal routes refuse everything.
 *
 * <p>An owner's refusal before deciding is final and nothing of the command was applied
 * ({@link OwnerRefusedException}): its 400, 401 or 403 (the client's token or request, as the owner found them) is
 * answered to the client as the owner's problem; a refusal of this instance's credential (the instances'
 * {@code eventbank.security.internal.*} differ), or a body the owner cannot read (instances of versions that cannot
 * read each other's commands), is logged as an ERROR and answered 503, an operator's fault.
 *
 * <p>Account number commands ({@link AccountNumberCommand}) travel the same way, to the owner of the number's
 * partition ({@link AccountNumbers#key}) or, for CHECK_HOLDER, of the account's, at {@value #INTERNAL_NUMBERS_PATH}.
 */
public final class CommandRouter implements AutoCloseable {

    /** Where instances send each other commands; internal, not part of the public API. */
    public static final String INTERNAL_PATH = "/internal/commands";
    /** Where instances send each other account number commands; internal. */
    public static final String INTERNAL_NUMBERS_PATH = "/internal/account-numbers";
    /**
     * Header of a forwarded command: the milliseconds left of the forwarding instance's reply timeout when it sent
     * the command. The owner decides the command only within them (and its own reply timeout), so that a command
     * whose caller was already answered "outcome unknown" is not applied later.
     */
    public static final String REPLY_WITHIN_HEADER = "X-Reply-Within-Ms";
    /**
     * Header of a forwarded command: the forwarding instance's reply deadline as epoch milliseconds (its wall clock).
     * Unlike {@value #REPLY_WITHIN_HEADER}, whose count starts again when the owner reads the request, it still holds
     * for a request that waited in a frozen or overloaded owner's socket before being read, so the owner does not
     * decide a command whose caller was answered "outcome unknown" meanwhile. It relies on the instances' clocks
     * agreeing to well within the reply timeout (NTP); an owner whose clock runs ahead skips commands sooner (their
     * callers get the same 503), one that runs behind keeps them longer by its lag.
     */
    public static final String REPLY_BY_HEADER = "X-Reply-By-Epoch-Ms";
    /** Media type of a forwarded command and of its result: Avro single-object encoding. */
    public static final String AVRO_SINGLE_OBJECT = "application/vnd.eventbank.avro";
    /** The member of an owner's 400 problem that says it could not read the forwarded body (instances' fault). */
    public static final String UNDECODABLE = "undecodable";

    private static final Logger LOG = LoggerFactory.getLogger(CommandRouter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY_AFTER = Duration.ofMillis(50);
    /** A first look may use a directory this old; after a miss the router asks for one this fresh. */
    private static final Duration DIRECTORY_MAX_AGE = Duration.ofSeconds(2);
    private static final Duration DIRECTORY_MAX_AGE_AFTER_MISS = Duration.ofMillis(100);

    private final PartitionOwnership ownership;
    private final OwnerDirectory directory;
    private final CommandMetrics metrics;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Optional<String> instanceAuthorization;

    /**
     * @param instanceAuthorization the {@value InstanceCredentials#HEADER} value this instance forwards with
     *                              ({@link InstanceCredentials#headerValue}); empty when no instance credential is
     *                              configured (a single instance, which never forwards)
     */
    public CommandRouter(PartitionOwnership ownership, OwnerDirectory directory, CommandMetrics metrics,
                         Optional<String> instanceAuthorization) {
        this.ownership = ownership;
        this.directory = directory;
        this.metrics = metrics;
        this.instanceAuthorization = instanceAuthorization;
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "command-router");
            thread.setDaemon(true);
            return thread;
        });
        // its own executor: the scheduler's threads may wait on the directory
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Sends {@code command} to its owner, wherever it is; the future holds the committed outcome, or fails with
     * {@link NotCommittedException} within {@code timeout}.
     */
    public CompletableFuture<CommandResult> send(BankAccountCommand command, Caller caller, Duration timeout) {
        long start = System.nanoTime();
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        long replyBy = System.nanoTime() + timeout.toNanos();
        attempt(command, caller, replyBy, replyBy, true, false, result);
        return withTimeout(result, command, timeout).whenComplete((outcome, error) ->
                metrics.completed(command, Optional.ofNullable(outcome), start));
    }

    /**
     * Sends an account number command to the owner of its partition, wherever it is, on behalf of {@code caller}
     * (whose token goes with it); as {@link #send(BankAccountCommand, Caller, Duration)}, without the command
     * metrics (they count what clients asked).
     */
    public CompletableFuture<CommandResult> send(AccountNumberCommand command, Caller caller, Duration timeout) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        long replyBy = System.nanoTime() + timeout.toNanos();
        attempt(command, caller, replyBy, replyBy, true, false, result);
        return withTimeout(result, command, timeout);
    }

    /** Decides a forwarded account number command here only; as {@link #decideHere(BankAccountCommand, Caller, Duration)}. */
    public CompletableFuture<CommandResult> decideHere(AccountNumberCommand command, Caller caller, Duration timeout) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        long now = System.nanoTime();
        attempt(command, caller, now + Math.min(timeout.toNanos(), Duration.ofSeconds(1).toNanos()), now + timeout.toNanos(),
                false, false, result);
        return withTimeout(result, command, timeout);
    }

    /**
     * Decides {@code command} here only (a command forwarded by another instance): fails with
     * {@link NotOwnerException} when this instance does not own the partition within a short wait.
     */
    public CompletableFuture<CommandResult> decideHere(BankAccountCommand command, Caller caller, Duration timeout) {
        CompletableFuture<CommandResult> result = new CompletableFuture<>();
        // the forwarding instance may have seen the assignment a moment before this one
        long now = System.nanoTime();
        attempt(command, caller, now + Math.min(timeout.toNanos(), Duration.ofSeconds(1).toNanos()), now + timeout.toNanos(),
                false, false, result);
        return withTimeout(result, command, timeout);
    }

    /** The key whose partition decides {@code command} (a {@link BankAccountCommand} or {@link AccountNumberCommand}). */
    static String partitionKey(Object command) {
        if (command instanceof BankAccountCommand accountCommand) {
            return accountCommand.getAccountId();
        }
        AccountNumberCommand numberCommand = (AccountNumberCommand) command;
        return numberCommand.getAction() == AccountNumberAction.CHECK_HOLDER ? numberCommand.getAccountId()
                : AccountNumbers.key(numberCommand.getAccountNumber());
    }

    private static CompletableFuture<CommandResult> submit(PartitionWriter writer, Object command, Caller caller, long replyBy) {
        return command instanceof BankAccountCommand accountCommand ? writer.submit(caller, accountCommand, replyBy)
                : writer.submit((AccountNumberCommand) command, replyBy);
    }

    private static CommandMdc mdc(Object command) {
        return command instanceof BankAccountCommand accountCommand ? CommandMdc.of(accountCommand)
                : CommandMdc.of((AccountNumberCommand) command);
    }

    /**
     * @param deadline until when to look for the owner again ({@link System#nanoTime()})
     * @param replyBy  the caller's reply deadline, after which no writer decides the command
     */
    private void attempt(Object command, Caller caller, long deadline, long replyBy, boolean mayForward, boolean missedBefore,
                         CompletableFuture<CommandResult> result) {
        if (result.isDone()) {
            return;
        }
        int partition = AccountPartitioner.partitionOf(partitionKey(command), ownership.partitions());
        PartitionWriter writer = ownership.writer(partition);
        // a fenced writer stays in place for two session timeouts (PartitionOwnership): a newer owner exists, so the
        // command goes to whoever the directory names, rather than to this writer again and again until its deadline
        if (writer != null && writer.state() != PartitionWriter.State.FENCED) {
            submit(writer, command, caller, replyBy).whenComplete((outcome, error) ->
                    settle(command, caller, deadline, replyBy, mayForward, result, outcome, error));
            return;
        }
        if (!mayForward) {
            retry(command, caller, deadline, replyBy, false, result, new NotOwnerException(partition, "this instance does not own partition " + partition));
            return;
        }
        // the directory may block on the broker: never on the caller's (event loop) thread
        run(result, () -> new NotCommittedException("this instance is shutting down", null), () -> {
            Optional<String> owner = directory.ownerOf(partition, missedBefore ? DIRECTORY_MAX_AGE_AFTER_MISS : DIRECTORY_MAX_AGE);
            if (owner.isEmpty() || owner.get().equals(ownership.endpoint())) {
                retry(command, caller, deadline, replyBy, true, result, new NotOwnerException(partition, "partition " + partition
                        + " has no other owner yet"));
                return;
            }
            forward(owner.get(), command, caller, partition, replyBy).whenComplete((outcome, error) ->
                    settle(command, caller, deadline, replyBy, true, result, outcome, error));
        }, 0);
    }

    /**
     * Runs {@code task} on the scheduler after {@code delayMs}; once the router is closed (the instance is shutting
     * down) fails {@code result} with {@code closed} instead, so that the request is answered (a forwarded one with
     * 421 by its caller's {@code reply}: the forwarding instance asks the new owner) rather than with a 500.
     */
    private void run(CompletableFuture<CommandResult> result, java.util.function.Supplier<Throwable> closed,
                     Runnable task, long delayMs) {
        try {
            scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException fault) {
                    // the scheduler keeps a task's exception in a future nobody reads: the request would wait for its
                    // reply timeout with nothing logged (a member's endpoint that is no URI, say)
                    LOG.error("command routing failed error=\"{}\"", fault.toString(), fault);
                    // the fault's text may name instances (a member's endpoint): logged, never answered
                    result.completeExceptionally(new NotCommittedException("routing the command failed", fault));
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(closed.get());
        }
    }

    /**
     * Completes {@code result} with an attempt's outcome, or asks again when the attempt reached a former owner
     * or one that went away (the next attempt reads a fresh directory); any other failure is final.
     *
     * <p>An owner that went away after it received the command (the connection broke while waiting for the
     * answer) may have committed it: asking again is safe only for a command whose repetition is answered with
     * its first outcome (one with an {@code Idempotency-Key}, or an account number step). Any other is answered
     * outcome unknown (503), as a timeout is, rather than decided a second time by the next owner.
     */
    private void settle(Object command, Caller caller, long deadline, long replyBy, boolean mayForward,
                        CompletableFuture<CommandResult> result, CommandResult outcome, Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        if (cause == null) {
            result.complete(outcome);
        } else if (cause instanceof NotOwnerException || (cause instanceof IOException
                && (neverSent(cause) || safeToRepeat(command)))) {
            retry(command, caller, deadline, replyBy, mayForward, result, cause);
        } else if (cause instanceof IOException) {
            try (CommandMdc mdc = mdc(command)) {
                LOG.info("forwarded command lost its answer, not repeated partitionKey=\"{}\" error=\"{}\"",
                        partitionKey(command), cause.toString());
            }
            result.completeExceptionally(new NotCommittedException("the owner of the account's partition went away "
                    + "before answering; the command may have been applied", cause));
        } else {
            result.completeExceptionally(cause);
        }
    }

    /** True when the request never reached the owner: no connection was made. */
    private static boolean neverSent(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static boolean safeToRepeat(Object command) {
        return !(command instanceof BankAccountCommand accountCommand) || accountCommand.getIdempotencyKey() != null;
    }

    private void retry(Object command, Caller caller, long deadline, long replyBy, boolean mayForward,
                       CompletableFuture<CommandResult> result, Throwable why) {
        if (System.nanoTime() + RETRY_AFTER.toNanos() > deadline) {
            if (!(why instanceof NotOwnerException && !mayForward)) {
                try (CommandMdc mdc = mdc(command)) {
                    LOG.info("no owner answered in time partitionKey=\"{}\" error=\"{}\"", partitionKey(command), why.toString());
                }
            }
            result.completeExceptionally(why instanceof NotOwnerException && !mayForward ? why
                    : new NotCommittedException("no owner of the account's partition answered in time", why));
            return;
        }
        // a forwarded command (mayForward false) was not submitted here: 421, and its instance asks again
        run(result, () -> mayForward
                        ? new NotCommittedException("this instance is shutting down", why)
                        : why instanceof NotOwnerException ? why : new NotOwnerException(-1, "this instance is shutting down"),
                () -> attempt(command, caller, deadline, replyBy, mayForward, true, result), RETRY_AFTER.toMillis());
    }

    private CompletableFuture<CommandResult> forward(String owner, Object command, Caller caller, int partition, long replyBy) {
        byte[] body;
        String path;
        String correlationId;
        try {
            if (command instanceof BankAccountCommand accountCommand) {
                body = toBytes(accountCommand.toByteBuffer());
                path = INTERNAL_PATH;
                correlationId = accountCommand.getCorrelationId();
            } else {
                AccountNumberCommand numberCommand = (AccountNumberCommand) command;
                body = toBytes(numberCommand.toByteBuffer());
                path = INTERNAL_NUMBERS_PATH;
                correlationId = numberCommand.getCorrelationId();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(owner + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", AVRO_SINGLE_OBJECT)
                .header("Accept", AVRO_SINGLE_OBJECT)
                .header("X-Correlation-Id", correlationId)
                .header(REPLY_WITHIN_HEADER, Long.toString(Math.max(0, (replyBy - System.nanoTime()) / 1_000_000)))
                .header(REPLY_BY_HEADER, Long.toString(System.currentTimeMillis()
                        + Math.max(0, (replyBy - System.nanoTime()) / 1_000_000)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (caller.authorization() != null) {
            // the owner checks the caller's token itself: it trusts no claim of this instance
            request.header("Authorization", caller.authorization());
        }
        instanceAuthorization.ifPresent(value -> request.header(InstanceCredentials.HEADER, value));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            switch (response.statusCode()) {
                case 200 -> {
                    try {
                        return CommandResult.fromByteBuffer(ByteBuffer.wrap(response.body()));
                    } catch (IOException e) {
                        try (CommandMdc mdc = mdc(command)) {
                            LOG.warn("forwarded command's result unreadable owner={} error=\"{}\"", owner, e.toString());
                        }
                        throw new CompletionException(new NotCommittedException("the owner of the account's partition "
                                + "answered with an unreadable result", e));
                    }
                }
                case 421 -> throw new CompletionException(new NotOwnerException(partition, owner + " does not own partition " + partition));
                // the owner's queue was full: it queued nothing (InternalCommandsController#reply)
                case 429 -> throw new CompletionException(new QueueFullException(
                        new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)));
                case 400, 401, 403 -> throw new CompletionException(refused(owner, command, response));
                default -> {
                    try (CommandMdc mdc = mdc(command)) {
                        LOG.warn("forwarded command failed owner={} status={} body=\"{}\"", owner, response.statusCode(),
                                new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    throw new CompletionException(new NotCommittedException("the owner of the account's partition "
                            + "answered " + response.statusCode(), null));
                }
            }
        });
    }

    /**
     * The owner's refusal before deciding: its own problem (the client's request or token), or 503 when it refused
     * this instance's credential.
     */
    private OwnerRefusedException refused(String owner, Object command, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        String type = ProblemTypes.forStatus(HttpStatus.valueOf(status));
        String title = HttpStatus.valueOf(status).getReason();
        String detail = TextRule.quote(body, 500);
        boolean undecodable = false;
        if (response.headers().firstValue("Content-Type").orElse("").contains("json")) {
            try {
                JsonNode problem = JSON.readTree(body);
                type = problem.path("type").asText(type);
                title = problem.path("title").asText(title);
                detail = problem.path("detail").asText(detail);
                undecodable = problem.path(UNDECODABLE).asBoolean(false);
            } catch (IOException e) {
                // not a problem document: its text is the detail
            }
        }
        try (CommandMdc mdc = mdc(command)) {
            if (ProblemTypes.INSTANCE_CREDENTIAL.equals(type)) {
                LOG.error("forwarded command refused for this instance's credential owner={} status={} detail=\"{}\"; "
                        + "every instance needs the same eventbank.security.internal.username/password", owner, status,
                        detail);
                return new OwnerRefusedException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable", "the command "
                        + "service's instances are misconfigured: the instance that owns this account's partition "
                        + "refused the forwarding instance's credential (" + detail + "); the command was not applied. "
                        + "An operator must give every instance the same eventbank.security.internal.username and "
                        + "password");
            }
            if (undecodable) {
                LOG.error("forwarded command unreadable by its owner owner={} status={} detail=\"{}\"; the instances "
                        + "run versions that cannot read each other's commands", owner, status, detail);
                return new OwnerRefusedException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable", "the command "
                        + "service's instances cannot read each other's commands (different versions?): the instance "
                        + "that owns this account's partition could not read it (" + detail + "); the command was not "
                        + "applied");
            }
            LOG.info("forwarded command refused by its owner owner={} status={} type={}", owner, status, type);
        }
        return new OwnerRefusedException(status, type, title, detail);
    }

    private CompletableFuture<CommandResult> withTimeout(CompletableFuture<CommandResult> result, Object command,
                                                         Duration timeout) {
        return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause instanceof TimeoutException) {
                try (CommandMdc mdc = mdc(command)) {
                    LOG.info("command reply timed out partitionKey=\"{}\" timeoutMs={}", partitionKey(command),
                            timeout.toMillis());
                }
                return CompletableFuture.failedFuture(new NotCommittedException("no outcome within "
                        + timeout.toMillis() + " ms", cause));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** The remaining bytes of {@code buffer} (an Avro single-object encoding), as an array. */
    public static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
