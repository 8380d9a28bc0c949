package dev.eventbank.command.rest;

import dev.eventbank.command.routing.CommandRouter;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import dev.eventbank.command.access.Caller;
import dev.eventbank.command.writer.AccountNumbers;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.support.security.Roles;
import dev.eventbank.support.settings.Settings;
import io.swagger.v3.oas.annotations.Hidden;
import org.apache.avro.AvroRuntimeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /internal/account-numbers}: an account number command (reserve, confirm, release, check holder)
 * forwarded by another instance to this one, the owner of the partition that decides it. Avro single-object
 * encoded in and out, answered as {@code POST /internal/commands} is ({@link InternalCommandsController#reply}), and
 * decided only within the forwarding instance's time left as there ({@link InternalCommandsController#replyWithin}); 400
 * for a body that is not such a command or names an account id or number the public API would refuse.
 *
 * <p>Internal, hidden from the OpenAPI document. Security as {@code /internal/commands}: the instances' own credential
 * first (without it 403 {@code /problems/instance-credential}, so a user cannot reserve or confirm numbers here
 * directly), then the caller's own bearer token, checked again here (customer or teller). A customer's open needs only RESERVE, CONFIRM and RELEASE of
 * the number generated from its account id (customers name no numbers), so that is all a customer token may ask
 * here (else 403), and its answer carries no reservation and no detail: a customer calling this route directly
 * learns nothing about other accounts (which number an account holds, whether it exists). CHECK_HOLDER is a
 * teller's step.
 */
@Hidden
@Controller(CommandRouter.INTERNAL_NUMBERS_PATH)
@Secured({Roles.CUSTOMER, Roles.TELLER})
final class InternalAccountNumbersController {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InternalAccountNumbersController.class);

    private final CommandRouter router;
    private final Duration replyTimeout;

    InternalAccountNumbersController(CommandRouter router,
                                     @Value("${eventbank.commands.reply-timeout:5s}") Duration replyTimeout) {
        this.router = router;
        this.replyTimeout = Settings.positive("eventbank.commands.reply-timeout", replyTimeout);
    }

    @Post(consumes = CommandRouter.AVRO_SINGLE_OBJECT, produces = CommandRouter.AVRO_SINGLE_OBJECT)
    CompletableFuture<HttpResponse<byte[]>> decide(HttpRequest<?> request, Authentication authentication, @Body byte[] body) {
        AccountNumberCommand command;
        try {
            command = AccountNumberCommand.fromByteBuffer(ByteBuffer.wrap(body));
        } catch (IOException | AvroRuntimeException e) {
            return CompletableFuture.completedFuture(InternalCommandsController.undecodable(
                    "not an AccountNumberCommand in Avro single-object encoding of a schema known here: " + e.getMessage()));
        }
        try {
            AccountCommands.checkForwarded(command);
        } catch (CommandProblem problem) {
            return CompletableFuture.completedFuture(InternalCommandsController.problem(HttpStatus.BAD_REQUEST,
                    problem.getMessage()));
        }
        Caller caller = Callers.of(request, authentication);
        Duration timeout = InternalCommandsController.replyWithin(request, replyTimeout);
        if (caller.isTeller()) {
            return InternalCommandsController.reply(router.decideHere(command, caller, timeout));
        }
        if (command.getAction() == AccountNumberAction.CHECK_HOLDER || !AccountNumbers.key(command.getAccountNumber())
                .equals(AccountNumbers.key(CommandIds.accountNumber(command.getAccountId())))) {
            LOG.info("request refused status=403 path={} caller=\"{}\" reason=\"a customer may only reserve, confirm or "
                    + "release its account's generated number\"", CommandRouter.INTERNAL_NUMBERS_PATH, caller);
            return CompletableFuture.completedFuture(InternalCommandsController.problem(HttpStatus.FORBIDDEN,
                    "a customer may only reserve, confirm or release the number generated for its account"));
        }
        return InternalCommandsController.reply(router.decideHere(command, caller, timeout).thenApply(result ->
                CommandResult.newBuilder(result).setReservation(null).setDetail(null).build()));
    }
}
