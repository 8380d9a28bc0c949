package dev.eventbank.command.rest;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /accounts}, {@code /accounts/{id}/deposits}, {@code /withdrawals}, {@code /close}: hands the raw
 * body and the headers to {@link AccountCommands}. Bodies are taken as text so that {@link JsonFields} reads
 * amounts exactly and words every mistake; close accepts an empty body with any content type.
 */
@Controller("/accounts")
final class AccountsController {

    private final AccountCommands commands;

    AccountsController(AccountCommands commands) {
        this.commands = commands;
    }

    @Post(consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> open(HttpRequest<?> request, @Nullable @Body String body) {
        return commands.open(body, CommandHeaders.of(request));
    }

    @Post(value = "/{id}/deposits", consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> deposit(HttpRequest<?> request, @PathVariable String id, @Nullable @Body String body) {
        return commands.deposit(id, body, CommandHeaders.of(request));
    }

    @Post(value = "/{id}/withdrawals", consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> withdraw(HttpRequest<?> request, @PathVariable String id, @Nullable @Body String body) {
        return commands.withdraw(id, body, CommandHeaders.of(request));
    }

    @Post(value = "/{id}/close", consumes = MediaType.ALL)
    CompletableFuture<HttpResponse<?>> close(HttpRequest<?> request, @PathVariable String id, @Nullable @Body String body) {
        return commands.close(id, body, CommandHeaders.of(request));
    }
}
