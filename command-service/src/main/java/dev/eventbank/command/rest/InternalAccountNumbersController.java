package dev.eventbank.command.rest;

import dev.eventbank.command.routing.CommandRouter;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.swagger.v3.oas.annotations.Hidden;
import org.apache.avro.AvroRuntimeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /internal/account-numbers}: an account number command (reserve, confirm, release, check holder)
 * forwarded by another instance to this one, the owner of the partition that decides it. Avro single-object
 * encoded in and out, answered as {@code POST /internal/commands} is ({@link InternalCommandsController#reply}); 400
 * for a body that is not such a command or names an account id or number the public API would refuse.
 *
 * <p>Internal, hidden from the OpenAPI document, with the same limit as {@code /internal/commands}: reachable by
 * anyone who reaches this port until requests are authenticated.
 */
@Hidden
@Controller(CommandRouter.INTERNAL_NUMBERS_PATH)
final class InternalAccountNumbersController {

    private final CommandRouter router;
    private final Duration replyTimeout;

    InternalAccountNumbersController(CommandRouter router,
                                     @Value("${eventbank.commands.reply-timeout:5s}") Duration replyTimeout) {
        this.router = router;
        this.replyTimeout = replyTimeout;
    }

    @Post(consumes = CommandRouter.AVRO_SINGLE_OBJECT, produces = CommandRouter.AVRO_SINGLE_OBJECT)
    CompletableFuture<HttpResponse<byte[]>> decide(@Body byte[] body) {
        AccountNumberCommand command;
        try {
            command = AccountNumberCommand.fromByteBuffer(ByteBuffer.wrap(body));
        } catch (IOException | AvroRuntimeException e) {
            return CompletableFuture.completedFuture(InternalCommandsController.text(HttpStatus.BAD_REQUEST,
                    "not an AccountNumberCommand in Avro single-object encoding of a schema known here: " + e.getMessage()));
        }
        try {
            AccountCommands.checkForwarded(command);
        } catch (CommandProblem problem) {
            return CompletableFuture.completedFuture(InternalCommandsController.text(HttpStatus.BAD_REQUEST,
                    problem.getMessage()));
        }
        return InternalCommandsController.reply(router.decideHere(command, replyTimeout));
    }
}
