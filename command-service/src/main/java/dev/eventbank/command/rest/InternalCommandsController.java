package dev.eventbank.command.rest;

import dev.eventbank.command.routing.CommandRouter;
import dev.eventbank.command.writer.NotCommittedException;
import dev.eventbank.command.writer.NotOwnerException;
import dev.eventbank.command.writer.QueueFullException;
import dev.eventbank.command.access.Caller;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.OpenAccount;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import dev.eventbank.support.problem.ProblemResponses;
import dev.eventbank.support.problem.ProblemTypes;
import dev.eventbank.support.security.Roles;
import dev.eventbank.support.settings.Settings;
import io.swagger.v3.oas.annotations.Hidden;
import org.apache.avro.AvroRuntimeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /internal/commands}: a command forwarded by another instance of this service, to be decided here
 * because this instance owns its account's partition. Body and answer are Avro single-object encoded
 * ({@link BankAccountCommand} in, {@code CommandResult} out, each carrying its schema's fingerprint, so two
 * instances of different versions refuse each other rather than misread). 200 with the committed result; 421
 * Misdirected Request when this instance does not own the partition (the caller looks up the owner again);
 * 503 when the outcome is not known in time; 429 when the partition's writer has its queue full (nothing queued,
 * nothing applied; the forwarding instance answers its caller 503 {@code /problems/unavailable}). The command is
 * decided only within the forwarding instance's time left ({@value CommandRouter#REPLY_WITHIN_HEADER}, milliseconds,
 * and {@value CommandRouter#REPLY_BY_HEADER}, its deadline on the wall clock)
 * and this instance's own reply timeout, whichever ends first; 400 for a body that is not such a command, or one whose fields or
 * ids the public API would refuse ({@link AccountCommands#checkForwarded}: this route must not be a way around its
 * checks); 403 for a customer's open that names an account number other than the one generated for its account id
 * (the public API lets no customer choose one). Refusals are {@code application/problem+json}, which the forwarding
 * instance answers its client as they are ({@code CommandRouter}).
 *
 * <p>Internal: not in the public API (hidden from the OpenAPI document) and only for other instances of the
 * command service. Security, two credentials: the instances' own ({@code X-Eventbank-Instance-Auth}, checked by
 * {@code InternalApiRule} before anything else: without it 403 {@code /problems/instance-credential}, whatever token
 * the request carries), and the original caller's bearer token, which this instance checks as the public API does
 * (401 without a valid one, 403 for a role other than customer or teller); its writer then applies the account's
 * rules to that caller ({@code AccountAccess}). So a user cannot send a command here directly: a teller's open here
 * would skip the account number's reservation the public API makes first ({@code AccountOpening}). Limits: it is
 * served on the same port as the public API; the instance credential is a shared secret, not mutual TLS.
 */
@Hidden
@Controller(CommandRouter.INTERNAL_PATH)
@Secured({Roles.CUSTOMER, Roles.TELLER})
final class InternalCommandsController {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InternalCommandsController.class);

    private static final MediaType AVRO = MediaType.of(CommandRouter.AVRO_SINGLE_OBJECT);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final CommandRouter router;
    private final Duration replyTimeout;

    InternalCommandsController(CommandRouter router, @Value("${eventbank.commands.reply-timeout:5s}") Duration replyTimeout) {
        this.router = router;
        this.replyTimeout = Settings.positive("eventbank.commands.reply-timeout", replyTimeout);
    }

    @Post(consumes = CommandRouter.AVRO_SINGLE_OBJECT, produces = CommandRouter.AVRO_SINGLE_OBJECT)
    CompletableFuture<HttpResponse<byte[]>> decide(HttpRequest<?> request, Authentication authentication, @Body byte[] body) {
        BankAccountCommand command;
        try {
            command = BankAccountCommand.fromByteBuffer(ByteBuffer.wrap(body));
        } catch (IOException | AvroRuntimeException e) {
            return CompletableFuture.completedFuture(undecodable("not a BankAccountCommand in Avro "
                    + "single-object encoding of a schema known here: " + e.getMessage()));
        }
        try {
            AccountCommands.checkForwarded(command);
        } catch (CommandProblem problem) {
            return CompletableFuture.completedFuture(problem(HttpStatus.BAD_REQUEST, problem.getMessage()));
        }
        Caller caller = Callers.of(request, authentication);
        if (caller.isCustomerOnly() && command.getPayload() instanceof OpenAccount open
                && !open.getAccountNumber().equals(CommandIds.accountNumber(command.getAccountId()))) {
            // the public API gives a customer's account the number generated from its id, reserved first
            // (AccountOpening); a number of the customer's choosing here would skip both, and could be another's
            LOG.info("request refused status=403 path={} caller=\"{}\" reason=\"a customer's open names an account "
                    + "number\"", CommandRouter.INTERNAL_PATH, caller);
            return CompletableFuture.completedFuture(problem(HttpStatus.FORBIDDEN, "a customer's account gets the number "
                    + "generated for its account id, never one of its choosing"));
        }
        return reply(router.decideHere(command, caller, replyWithin(request, replyTimeout)));
    }

    /**
     * The time a forwarded command may take here: the forwarding instance's time left, capped by {@code own}. That is
     * the least of {@code own}, {@value CommandRouter#REPLY_WITHIN_HEADER} (milliseconds left when it was sent) and the
     * time until {@value CommandRouter#REPLY_BY_HEADER} (its deadline on the wall clock: zero once passed, as for a
     * request read only after the owner was frozen past it); a header absent or not a number of milliseconds does not
     * count (an instance of an older version sends neither, or only the first).
     */
    static Duration replyWithin(HttpRequest<?> request, Duration own) {
        return replyWithin(request, own, System.currentTimeMillis());
    }

    /** As {@link #replyWithin(HttpRequest, Duration)}, at wall-clock time {@code nowEpochMs}. */
    static Duration replyWithin(HttpRequest<?> request, Duration own, long nowEpochMs) {
        long left = own.toMillis();
        Long within = millis(request.getHeaders().get(CommandRouter.REPLY_WITHIN_HEADER));
        if (within != null && within >= 0) {
            left = Math.min(left, within);
        }
        Long by = millis(request.getHeaders().get(CommandRouter.REPLY_BY_HEADER));
        if (by != null && by >= 0) {
            left = Math.min(left, Math.max(0, by - nowEpochMs));
        }
        return Duration.ofMillis(left);
    }

    private static Long millis(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * 200 with the committed result in Avro single-object encoding, 421 when this instance does not own the
     * partition, 429 when its writer's queue is full (nothing queued), 503 when the outcome is not known in time.
     */
    static CompletableFuture<HttpResponse<byte[]>> reply(CompletableFuture<dev.eventbank.schemas.commands.CommandResult> decided) {
        return decided.handle((result, error) -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause == null) {
                try {
                    return HttpResponse.ok(CommandRouter.toBytes(result.toByteBuffer())).contentType(AVRO);
                } catch (IOException e) {
                    return problem(HttpStatus.INTERNAL_SERVER_ERROR, "result not encodable: " + e.getMessage());
                }
            }
            if (cause instanceof NotOwnerException) {
                return text(HttpStatus.MISDIRECTED_REQUEST, cause.getMessage());
            }
            if (cause instanceof QueueFullException) {
                return text(HttpStatus.TOO_MANY_REQUESTS, cause.getMessage());
            }
            if (cause instanceof NotCommittedException) {
                return problem(HttpStatus.SERVICE_UNAVAILABLE, cause.getMessage());
            }
            return problem(HttpStatus.INTERNAL_SERVER_ERROR, cause.toString());
        });
    }

    /**
     * For 421 and 429 only: signals between instances (ask the directory again; the owner's queue is full), which
     * the forwarding instance turns into an answer of its own, never shown to a client as they are.
     */
    static HttpResponse<byte[]> text(HttpStatus status, String message) {
        return HttpResponse.<byte[]>status(status).contentType(MediaType.TEXT_PLAIN_TYPE)
                .body(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A refusal as {@code application/problem+json} (type by status: 400 invalid-request, 403 forbidden, 503
     * outcome-unknown, 500 server-error), which the forwarding instance passes on to its client for a 4xx.
     */
    static HttpResponse<byte[]> problem(HttpStatus status, String detail) {
        return problem(status, detail, Map.of());
    }

    /**
     * 400 for a body this instance cannot read (another schema, not Avro): with the member
     * {@value CommandRouter#UNDECODABLE} {@code true}, so that the forwarding instance, which built the body, knows the
     * fault is the instances' (versions that cannot read each other), not its client's.
     */
    static HttpResponse<byte[]> undecodable(String detail) {
        return problem(HttpStatus.BAD_REQUEST, detail, Map.of(CommandRouter.UNDECODABLE, true));
    }

    private static HttpResponse<byte[]> problem(HttpStatus status, String detail, Map<String, Object> members) {
        String type = status == HttpStatus.SERVICE_UNAVAILABLE ? ProblemTypes.OUTCOME_UNKNOWN : ProblemTypes.forStatus(status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", status.getReason());
        body.put("status", status.getCode());
        body.put("detail", detail);
        body.putAll(members);
        try {
            return HttpResponse.<byte[]>status(status).contentType(ProblemResponses.APPLICATION_PROBLEM_JSON)
                    .body(JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }
}
