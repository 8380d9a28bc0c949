package dev.eventbank.command.rest;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /accounts}, {@code /accounts/{id}/deposits}, {@code /withdrawals}, {@code /close}: hands the raw
 * body and the headers to {@link AccountCommands}. Bodies are taken as text so that {@link JsonFields} reads
 * amounts exactly and words every mistake; close accepts an empty body with any content type.
 */
@OpenAPIDefinition(info = @Info(title = "command-service", version = "1.0", description = """
        Commands on bank accounts. Each command goes through Kafka to the account's single writer and is answered \
        with its committed outcome: the new version (also as ETag), or an application/problem+json error. \
        Amounts are exact decimals: send them as JSON strings ("10.50") or numbers. Pass a version as If-Match for \
        optimistic concurrency, an Idempotency-Key to make a retry safe; pass the returned version as minVersion to \
        the query service (port 8082) to read your own write."""))
@Tag(name = "accounts", description = "open, deposit, withdraw, close")
@Controller("/accounts")
final class AccountsController {

    private final AccountCommands commands;

    AccountsController(AccountCommands commands) {
        this.commands = commands;
    }

    @Operation(summary = "Open an account", description = "accountNumber is optional and generated when absent.",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(ref = "#/components/schemas/OpenAccount"), examples = @ExampleObject(name = "example",
                    value = "{\"owner\":\"Ada Lovelace\",\"currency\":\"EUR\",\"initialDeposit\":\"100.00\"}"))))
    @ApiResponse(responseCode = "201", description = "opened; the body has the new account id and version 1",
            headers = {@Header(name = "Location", description = "/accounts/{id}", schema = @Schema(type = "string")),
                    @Header(name = "ETag", description = "the version, quoted: \"1\"", schema = @Schema(type = "string"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "#/components/schemas/Accepted")))
    @CommandResponsesDoc
    @Post(consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> open(HttpRequest<?> request, @Nullable @Body String body) {
        return commands.open(body, CommandHeaders.of(request));
    }

    @Operation(summary = "Deposit money",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(ref = "#/components/schemas/Deposit"), examples = @ExampleObject(name = "example",
                    value = "{\"amount\":\"50.25\"}"))))
    @AcceptedDoc
    @CommandResponsesDoc
    @Post(value = "/{id}/deposits", consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> deposit(HttpRequest<?> request, @PathVariable String id, @Nullable @Body String body) {
        return commands.deposit(id, body, CommandHeaders.of(request));
    }

    @Operation(summary = "Withdraw money",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(ref = "#/components/schemas/Amount"), examples = @ExampleObject(name = "example",
                    value = "{\"amount\":\"30.25\"}"))))
    @AcceptedDoc
    @CommandResponsesDoc
    @Post(value = "/{id}/withdrawals", consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> withdraw(HttpRequest<?> request, @PathVariable String id, @Nullable @Body String body) {
        return commands.withdraw(id, body, CommandHeaders.of(request));
    }

    @Operation(summary = "Close an account", description = "Only with a zero balance: withdraw the remaining funds first. "
            + "The body is optional.", requestBody = @RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "#/components/schemas/Close"))))
    @AcceptedDoc
    @CommandResponsesDoc
    @Post(value = "/{id}/close", consumes = MediaType.ALL)
    CompletableFuture<HttpResponse<?>> close(HttpRequest<?> request, @PathVariable String id, @Nullable @Body String body) {
        return commands.close(id, body, CommandHeaders.of(request));
    }

    /** The 200 answer of a command on an existing account (documentation only). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ApiResponse(responseCode = "200", description = "accepted; the body has the account's new version",
            headers = @Header(name = "ETag", description = "the new version, quoted: \"4\"", schema = @Schema(type = "string")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "#/components/schemas/Accepted")))
    @interface AcceptedDoc {
    }

    /** Headers and answers every command shares (documentation only). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @Parameter(name = "If-Match", in = ParameterIn.HEADER, schema = @Schema(type = "string"), example = "\"3\"",
            description = "the version the account must be at (an ETag, quoted or not); 409 with currentVersion otherwise")
    @Parameter(name = "Idempotency-Key", in = ParameterIn.HEADER, schema = @Schema(type = "string"), example = "pay-4711",
            description = "1..200 visible ASCII characters; a retry with the same key and body returns the first answer and "
                    + "appends nothing; the same key with another body is a 422")
    @Parameter(name = "X-Correlation-Id", in = ParameterIn.HEADER, schema = @Schema(type = "string"), description = "carried into the events; generated when absent")
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/PayloadTooLarge")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @interface CommandResponsesDoc {
    }
}
