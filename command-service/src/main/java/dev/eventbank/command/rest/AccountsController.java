package dev.eventbank.command.rest;

import io.micronaut.core.annotation.Nullable;
import dev.eventbank.support.http.JsonBody;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import dev.eventbank.support.security.Roles;

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
 * body and the headers to {@link AccountCommands}. Bodies are taken as bytes, checked against the JSON body rule
 * (media type, UTF-8) and handed on as text, so that {@link JsonFields} reads amounts exactly and words every
 * mistake; close accepts an empty body with any content type (or none).
 *
 * <p>Security: a bearer token with the role {@code customer} or {@code teller} (others: 403, none or an invalid one:
 * 401). What a customer may do with which account is decided by the owner of the account's partition
 * ({@code dev.eventbank.command.access.AccountAccess}); a customer's open is checked here first
 * ({@link AccountCommands#open}).
 */
@OpenAPIDefinition(info = @Info(title = "command-service", version = "1.0", description = """
        Commands on bank accounts. Each command goes to the account's single writer, which appends its events to \
        Kafka, and is answered with its committed outcome: the new version (also as ETag), or an application/problem+json error. \
        Amounts are exact decimals: send them as JSON strings ("10.50") or numbers. Pass a version as If-Match for \
        optimistic concurrency, an Idempotency-Key to make a retry safe; pass the returned version as minVersion to \
        the query service (port 8082) to read your own write."""))
@Tag(name = "accounts", description = "open, deposit, withdraw, close")
@Controller("/accounts")
@Secured({Roles.CUSTOMER, Roles.TELLER})
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
    CompletableFuture<HttpResponse<?>> open(HttpRequest<?> request, Authentication authentication,
                                            @Nullable @Body byte[] body) {
        return commands.open(text(request, body), CommandHeaders.of(request), Callers.of(request, authentication));
    }

    @Operation(summary = "Deposit money",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(ref = "#/components/schemas/Deposit"), examples = @ExampleObject(name = "example",
                    value = "{\"amount\":\"50.25\"}"))))
    @AcceptedDoc
    @CommandResponsesDoc
    @Post(value = "/{id}/deposits", consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> deposit(HttpRequest<?> request, Authentication authentication,
                                               @PathVariable String id, @Nullable @Body byte[] body) {
        return commands.deposit(id, text(request, body), CommandHeaders.of(request), Callers.of(request, authentication));
    }

    @Operation(summary = "Withdraw money",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(ref = "#/components/schemas/Amount"), examples = @ExampleObject(name = "example",
                    value = "{\"amount\":\"30.25\"}"))))
    @AcceptedDoc
    @CommandResponsesDoc
    @Post(value = "/{id}/withdrawals", consumes = MediaType.APPLICATION_JSON)
    CompletableFuture<HttpResponse<?>> withdraw(HttpRequest<?> request, Authentication authentication,
                                                @PathVariable String id, @Nullable @Body byte[] body) {
        return commands.withdraw(id, text(request, body), CommandHeaders.of(request), Callers.of(request, authentication));
    }

    @Operation(summary = "Close an account", description = "Only with a zero balance: withdraw the remaining funds first. "
            + "The body is optional.", requestBody = @RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "#/components/schemas/Close"))))
    @AcceptedDoc
    @CommandResponsesDoc
    @Post(value = "/{id}/close", consumes = MediaType.ALL)
    CompletableFuture<HttpResponse<?>> close(HttpRequest<?> request, Authentication authentication,
                                             @PathVariable String id, @Nullable @Body byte[] body) {
        return commands.close(id, text(request, body), CommandHeaders.of(request), Callers.of(request, authentication));
    }

    /**
     * The body as text under service-support's one rule for JSON bodies ({@link JsonBody}): a body needs
     * {@code Content-Type: application/json} with no charset but UTF-8 (else 415), and must be UTF-8 (else 400).
     * Read from the raw bytes, so that no decoder has replaced a malformed byte by U+FFFD before the check.
     */
    private static String text(HttpRequest<?> request, byte[] body) {
        return JsonBody.utf8(request.getHeaders().get(HttpHeaders.CONTENT_TYPE), body);
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
    // the header parameters are declared in src/main/openapi/components.yml: declared here, micronaut-openapi typed
    // their schema as object whatever @Schema said
    @Parameter(name = "If-Match", in = ParameterIn.HEADER, ref = "#/components/parameters/IfMatch")
    @Parameter(name = "Idempotency-Key", in = ParameterIn.HEADER, ref = "#/components/parameters/IdempotencyKey")
    @Parameter(name = "X-Correlation-Id", in = ParameterIn.HEADER, ref = "#/components/parameters/CorrelationId")
    @ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
    @ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
    @ApiResponse(responseCode = "403", ref = "#/components/responses/Forbidden")
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    @ApiResponse(responseCode = "413", ref = "#/components/responses/PayloadTooLarge")
    @ApiResponse(responseCode = "414", ref = "#/components/responses/UriTooLong")
    @ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
    @ApiResponse(responseCode = "422", ref = "#/components/responses/Unprocessable")
    @ApiResponse(responseCode = "431", ref = "#/components/responses/HeaderFieldsTooLarge")
    @ApiResponse(responseCode = "503", ref = "#/components/responses/Unavailable")
    @interface CommandResponsesDoc {
    }
}
