package dev.eventbank.command.rest;

import dev.eventbank.command.access.AccountAccess;
import dev.eventbank.command.access.Caller;
import dev.eventbank.command.routing.AccountOpening;
import dev.eventbank.command.routing.CommandRouter;
import dev.eventbank.command.writer.AccountNumbers;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CloseAccount;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.commands.WithdrawMoney;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.support.settings.Settings;
import dev.eventbank.support.text.TextRule;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Turns a checked HTTP request into a {@link BankAccountCommand}, has it decided by the owner of its account's
 * partition ({@link CommandRouter}) and maps its committed result to a response ({@link CommandResponses}). Every check
 * on the input that needs no account happens here, before anything is sent: a request that fails one is a 400 and
 * produces nothing.
 *
 * <p>What is checked here is what needs no account: shapes, types, lengths, a known currency, amounts
 * {@code > 0} ({@code >= 0} for an initial deposit), {@code <= 10^12}, at most 4 decimals, an e-mail address that
 * looks like one, a known account type, and every text field (owner, reference, reason, accountNumber, email,
 * ...) against service-support's one {@code TextRule}: no control characters, not blank, lengths in characters
 * (code points). Whether an amount fits the account's currency (2 decimals for EUR) is decided by the writer of
 * the account's partition, which knows the currency; that 400 writes nothing to Kafka either (the writer records
 * no outcome for it). The {@code check...} methods do all the checking and build the payload;
 * they need no Kafka, so tests (and the fuzz test) run them alone. An open goes through {@link AccountOpening}, which
 * keeps account numbers unique.
 */
@Singleton
final class AccountCommands {

    static final BigDecimal MAX_AMOUNT = BigDecimal.TEN.pow(12);
    static final int MAX_SCALE = AvroDecimals.SCALE;
    static final int MAX_TEXT = 200;

    /** RFC 5321's limit for a whole address. */
    static final int MAX_EMAIL = 254;
    /** As SEPA's unstructured remittance information. */
    static final int MAX_REFERENCE = 140;
    /** As an IBAN (ISO 13616). */
    static final int MAX_ACCOUNT_NUMBER = 34;

    private static final Set<String> OPEN_FIELDS = fields("owner", "currency", "initialDeposit", "accountNumber",
            "email", "accountType", "ownerId");
    private static final Set<String> DEPOSIT_FIELDS = fields("amount", "reference");
    private static final Set<String> AMOUNT_FIELDS = fields("amount");
    private static final Set<String> CLOSE_FIELDS = fields("reason");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Pattern ACCOUNT_NUMBER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 -]{0,33}");
    /** The canonical form ({@link AccountNumbers#key}) of the numbers {@link CommandIds#accountNumber} generates. */
    private static final Pattern GENERATED_NUMBER = Pattern.compile("EVBK[0-9A-F]{12}");
    // deliberately plain: one @, no blanks, a dot in the domain; deliverability is not ours to judge
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

    private final CommandRouter router;
    private final AccountOpening opening;
    private final Duration replyTimeout;
    private final Clock clock;

    AccountCommands(CommandRouter router, AccountOpening opening,
                    @Value("${eventbank.commands.reply-timeout:5s}") Duration replyTimeout, Clock clock) {
        this.router = router;
        this.opening = opening;
        this.replyTimeout = Settings.positive("eventbank.commands.reply-timeout", replyTimeout);
        this.clock = clock;
    }

    /**
     * {@code POST /accounts} by {@code caller}. A teller may name the customer that owns the new account
     * ({@code ownerId}, optional: none means no customer owns it). A customer opens accounts for itself: its
     * subject becomes {@code ownerId}; naming another owner, or an {@code accountNumber} (numbers of customers'
     * accounts are assigned, so that no customer can probe which numbers exist), is 403 and sends nothing. A
     * customer's account id is derived from its subject ({@link AccountAccess#customerAccountId}), so its
     * {@code Idempotency-Key}s are its own: another customer reusing one opens another account. A customer whose
     * subject an {@code ownerId} could not be (blank, over 200 characters, control characters, white space at an end)
     * opens nothing (403).
     *
     * @throws CommandProblem 400 for an invalid body, 403 as above
     */
    CompletableFuture<HttpResponse<?>> open(String body, CommandHeaders headers, Caller caller) {
        String key = headers.idempotencyKey();
        String accountId;
        String commandId;
        if (caller.isTeller()) {
            accountId = CommandIds.newAccountId(key);
            commandId = CommandIds.commandId(accountId, key);
        } else if (caller.isCustomerOnly()) {
            if (!validOwnerId(caller.subject())) {
                throw CommandProblem.forbidden("the token's subject cannot own an account: a customer id is 1 to "
                        + MAX_TEXT + " characters, not blank, without control characters or white space at its ends");
            }
            String unkeyedCommandId = UUID.randomUUID().toString();
            accountId = AccountAccess.customerAccountId(caller.subject(), key, unkeyedCommandId);
            commandId = key == null ? unkeyedCommandId : CommandIds.commandId(accountId, key);
        } else {
            throw CommandProblem.forbidden("only a customer or a teller may open an account");
        }
        Checked checked = checkOpen(body, accountId);
        OpenAccount payload = (OpenAccount) checked.payload();
        if (caller.isCustomerOnly()) {
            if (payload.getOwnerId() != null && !payload.getOwnerId().equals(caller.subject())) {
                throw CommandProblem.forbidden("a customer opens accounts for itself only: leave ownerId out, or set "
                        + "it to your own customer id (the subject of your token)");
            }
            if (checked.accountNumberGiven()) {
                throw CommandProblem.forbidden("a customer's account gets its number from the bank: leave "
                        + "accountNumber out (only a teller assigns a chosen number)");
            }
            payload.setOwnerId(caller.subject());
        }
        return send(accountId, commandId, payload, checked.fingerprint(), headers, caller, true);
    }

    CompletableFuture<HttpResponse<?>> deposit(String id, String body, CommandHeaders headers, Caller caller) {
        String accountId = accountId(id);
        Checked checked = checkDeposit(body);
        return send(accountId, CommandIds.commandId(accountId, headers.idempotencyKey()), checked.payload(),
                checked.fingerprint(), headers, caller, false);
    }

    CompletableFuture<HttpResponse<?>> withdraw(String id, String body, CommandHeaders headers, Caller caller) {
        String accountId = accountId(id);
        Checked checked = checkWithdraw(body);
        return send(accountId, CommandIds.commandId(accountId, headers.idempotencyKey()), checked.payload(),
                checked.fingerprint(), headers, caller, false);
    }

    CompletableFuture<HttpResponse<?>> close(String id, String body, CommandHeaders headers, Caller caller) {
        String accountId = accountId(id);
        Checked checked = checkClose(body);
        return send(accountId, CommandIds.commandId(accountId, headers.idempotencyKey()), checked.payload(),
                checked.fingerprint(), headers, caller, false);
    }

    /**
     * The checked payload of {@code POST /accounts} and its fingerprint.
     *
     * @param body      the request body as text (null or blank when none)
     * @param accountId the id the account will have, from which a missing account number is derived
     * @throws CommandProblem 400 naming the first field that is wrong
     */
    static Checked checkOpen(String body, String accountId) {
        JsonFields fields = JsonFields.parse(body, false, OPEN_FIELDS);
        String owner = fields.requiredText("owner", MAX_TEXT);
        String currency = currency(fields.requiredText("currency", MAX_TEXT));
        BigDecimal initialDeposit = fields.requiredAmount("initialDeposit", true, MAX_AMOUNT, MAX_SCALE);
        String accountNumber = fields.optionalText("accountNumber", MAX_ACCOUNT_NUMBER);
        if (accountNumber != null && !ACCOUNT_NUMBER.matcher(accountNumber).matches()) {
            throw CommandProblem.badRequest("accountNumber must be 1 to " + MAX_ACCOUNT_NUMBER
                    + " ASCII letters, digits, spaces or dashes, starting with a letter or digit");
        }
        if (accountNumber != null && GENERATED_NUMBER.matcher(AccountNumbers.key(accountNumber)).matches()) {
            // a number of this form is the one an open without accountNumber gets from its account id, which a keyed
            // open's id makes known before it is opened: chosen first by a teller, it refused that open for good
            throw CommandProblem.badRequest("accountNumber '" + accountNumber + "' has the form of a generated number "
                    + "(EVBK and 12 hexadecimal digits), kept for opens without accountNumber: leave it out to have one "
                    + "generated, or choose another");
        }
        String email = email(fields.optionalText("email", MAX_EMAIL));
        AccountType accountType = accountType(fields.optionalText("accountType", MAX_TEXT));
        String ownerId = fields.optionalText("ownerId", MAX_TEXT);
        // an absent accountNumber is fingerprinted as absent (null), not as the text "null": a request with
        // "accountNumber":"null" is another request (issue 12, item 6)
        List<String> fingerprinted = new ArrayList<>(
                Arrays.asList(owner, currency, initialDeposit.toPlainString(), accountNumber));
        // the fields added later count only when given, so a retry by a client that predates them keeps its fingerprint
        if (email != null || accountType != null) {
            fingerprinted.add(String.valueOf(email));
            fingerprinted.add(String.valueOf(accountType));
        }
        if (ownerId != null) {
            fingerprinted.add("ownerId=" + ownerId);
        }
        OpenAccount payload = new OpenAccount(accountNumber != null ? accountNumber : CommandIds.accountNumber(accountId),
                owner, currency, AvroDecimals.toWire(initialDeposit), email,
                accountType != null ? accountType : AccountType.CHECKING, ownerId);
        return new Checked(payload, CommandIds.fingerprint("OpenAccount", fingerprinted), accountNumber != null);
    }

    /** The checked payload of a deposit and its fingerprint; a 400 {@link CommandProblem} names what is wrong. */
    static Checked checkDeposit(String body) {
        JsonFields fields = JsonFields.parse(body, false, DEPOSIT_FIELDS);
        BigDecimal amount = fields.requiredAmount("amount", false, MAX_AMOUNT, MAX_SCALE);
        String reference = fields.optionalText("reference", MAX_REFERENCE);
        List<String> fingerprinted = reference == null ? List.of(amount.toPlainString())
                : List.of(amount.toPlainString(), reference);
        return new Checked(new DepositMoney(AvroDecimals.toWire(amount), reference),
                CommandIds.fingerprint("DepositMoney", fingerprinted));
    }

    /** The checked payload of a withdrawal and its fingerprint; a 400 {@link CommandProblem} names what is wrong. */
    static Checked checkWithdraw(String body) {
        BigDecimal amount = JsonFields.parse(body, false, AMOUNT_FIELDS).requiredAmount("amount", false, MAX_AMOUNT, MAX_SCALE);
        return new Checked(new WithdrawMoney(AvroDecimals.toWire(amount)),
                CommandIds.fingerprint("WithdrawMoney", List.of(amount.toPlainString())));
    }

    /** The checked payload of a close (the body is optional) and its fingerprint; a 400 names what is wrong. */
    static Checked checkClose(String body) {
        String reason = JsonFields.parse(body, true, CLOSE_FIELDS).optionalText("reason", MAX_TEXT);
        return new Checked(new CloseAccount(reason),
                CommandIds.fingerprint("CloseAccount", java.util.Collections.singletonList(reason)));
    }

    /**
     * Checks a command forwarded by another instance ({@code POST /internal/commands}) with the same rules as the
     * public API, field by field: that route is reachable by anyone who reaches this port, and must not take what
     * the public API refuses (an owner with control characters, an amount with 9 decimals). The payload's fields
     * are checked as the JSON body they stand for.
     *
     * @throws CommandProblem 400 naming the first field that is wrong, or a 404 for an account id that is not a
     *                        canonical UUID
     */
    static void checkForwarded(BankAccountCommand command) {
        String accountId = command.getAccountId();
        if (!accountId(accountId).equals(accountId)) {
            throw CommandProblem.badRequest("a forwarded command's account id must be a lower-case UUID");
        }
        // a keyed command's id is derived from its account and key (CommandIds), so no two accounts share one; an id
        // of the sender's choosing could record an outcome under the id another account's command will have, which
        // would then be answered to that command in place of deciding it
        String key = command.getIdempotencyKey();
        if (key != null && !command.getCommandId().equals(CommandIds.commandId(accountId, key))) {
            throw CommandProblem.badRequest("a forwarded command's id must be the one its account id and "
                    + "Idempotency-Key derive");
        }
        Object payload = command.getPayload();
        Map<String, Object> fields = new LinkedHashMap<>();
        if (payload instanceof OpenAccount open) {
            fields.put("owner", open.getOwner());
            fields.put("currency", open.getCurrency());
            fields.put("initialDeposit", open.getInitialDeposit().toPlainString());
            // the number generated for this account is what an open without one carries: checked as absent (a
            // chosen number of that form is refused)
            fields.put("accountNumber", open.getAccountNumber().equals(CommandIds.accountNumber(accountId)) ? null
                    : open.getAccountNumber());
            fields.put("email", open.getEmail());
            fields.put("accountType", open.getAccountType() == null ? null : open.getAccountType().name());
            fields.put("ownerId", open.getOwnerId());
            checkOpen(json(fields), accountId);
        } else if (payload instanceof DepositMoney deposit) {
            fields.put("amount", deposit.getAmount().toPlainString());
            fields.put("reference", deposit.getReference());
            checkDeposit(json(fields));
        } else if (payload instanceof WithdrawMoney withdraw) {
            fields.put("amount", withdraw.getAmount().toPlainString());
            checkWithdraw(json(fields));
        } else if (payload instanceof CloseAccount close) {
            fields.put("reason", close.getReason());
            checkClose(json(fields));
        } else {
            throw CommandProblem.badRequest("a forwarded command has no payload this service knows");
        }
    }

    /**
     * Checks a forwarded account number command ({@code POST /internal/account-numbers}) as the public API would
     * check its parts: a canonical account id, an account number of the public format, ids of sane length.
     *
     * @throws CommandProblem 400 naming what is wrong
     */
    static void checkForwarded(dev.eventbank.schemas.commands.AccountNumberCommand command) {
        String accountId = command.getAccountId();
        if (!UUID_TEXT.matcher(accountId).matches() || !accountId(accountId).equals(accountId)) {
            throw CommandProblem.badRequest("a forwarded command's account id must be a lower-case UUID");
        }
        if (!ACCOUNT_NUMBER.matcher(command.getAccountNumber()).matches()) {
            throw CommandProblem.badRequest("a forwarded account number must be 1 to " + MAX_ACCOUNT_NUMBER
                    + " ASCII letters, digits, spaces or dashes, starting with a letter or digit");
        }
        for (String id : List.of(command.getCommandId(), command.getOpenCommandId(), command.getOpenFingerprint(),
                command.getCorrelationId())) {
            if (id.length() > MAX_TEXT) {
                throw CommandProblem.badRequest("a forwarded command's ids are at most " + MAX_TEXT + " characters");
            }
        }
    }

    private static String json(Map<String, Object> fields) {
        fields.values().removeIf(java.util.Objects::isNull);
        try {
            return FORWARDED_JSON.writeValueAsString(fields);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper FORWARDED_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * A command's payload (an Avro record of {@code BankAccountCommand.payload}), its request fingerprint, and
     * whether the body named an account number (an open's; a generated one is in the payload otherwise).
     */
    record Checked(Object payload, String fingerprint, boolean accountNumberGiven) {
        Checked(Object payload, String fingerprint) {
            this(payload, fingerprint, false);
        }
    }

    private CompletableFuture<HttpResponse<?>> send(String accountId, String commandId, Object payload,
                                                    String fingerprint, CommandHeaders headers, Caller caller,
                                                    boolean opening) {
        BankAccountCommand command = BankAccountCommand.newBuilder()
                .setCommandId(commandId)
                .setAccountId(accountId)
                .setExpectedVersion(headers.expectedVersion())
                .setCorrelationId(headers.correlationId())
                .setIdempotencyKey(headers.idempotencyKey())
                .setFingerprint(fingerprint)
                .setIssuedAt(clock.instant())
                .setPayload(payload)
                .build();
        CompletableFuture<dev.eventbank.schemas.commands.CommandResult> result = opening
                ? this.opening.open(command, caller, replyTimeout) : router.send(command, caller, replyTimeout);
        return result.thenApply(outcome -> CommandResponses.of(outcome, opening, headers.correlationId()));
    }

    /** The path's account id in canonical (lower-case) form; no account has an id that is not a UUID. */
    static String accountId(String id) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) {
            throw CommandProblem.accountNotFound("no account has id '" + (id == null ? "" : TextRule.quote(id, 40))
                    + "': account ids are UUIDs", Map.of());
        }
        return UUID.fromString(id).toString();
    }

    /** An e-mail address as given (null when absent), or a 400 that says what is wrong with it. */
    static String email(String email) {
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw CommandProblem.badRequest("email must be an e-mail address such as \"ada@example.com\", got \""
                    + TextRule.quote(email, 40) + "\"");
        }
        return email;
    }

    /** CHECKING or SAVINGS (null when absent), or a 400 naming the allowed values. */
    static AccountType accountType(String type) {
        if (type == null) {
            return null;
        }
        try {
            return AccountType.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw CommandProblem.badRequest("accountType must be one of " + Arrays.toString(AccountType.values())
                    + ", got \"" + TextRule.quote(type, 20) + "\"");
        }
    }

    private static String currency(String code) {
        if (!CURRENCY.matcher(code).matches()) {
            throw CommandProblem.badRequest("currency must be an upper-case ISO 4217 code such as \"EUR\", got \""
                    + TextRule.quote(code, 10) + "\"");
        }
        try {
            Currency currency = Currency.getInstance(code);
            if (currency.getDefaultFractionDigits() < 0) {
                throw CommandProblem.badRequest("currency " + code + " is not a currency an account can hold");
            }
            return code;
        } catch (IllegalArgumentException e) {
            throw CommandProblem.badRequest("currency \"" + code + "\" is not an ISO 4217 code this service knows "
                    + "(the Java runtime's currency data)");
        }
    }

    private static Set<String> fields(String... names) {
        return new LinkedHashSet<>(Arrays.asList(names));
    }

    /**
     * Whether a customer's token subject may become an account's ownerId: the same rule as an ownerId a teller names,
     * so that no event carries an owner id the API would refuse (and a forwarded open is not refused where a local
     * one was accepted); and as given, since the rule strips white space off the ends: a subject "ada\n" is another
     * principal than "ada" to the identity provider, and was written raw into the event log.
     */
    private static boolean validOwnerId(String subject) {
        try {
            return TextRule.check("ownerId", subject, MAX_TEXT).equals(subject);
        } catch (TextRule.InvalidText e) {
            return false;
        }
    }
}
