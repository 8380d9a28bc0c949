package dev.eventbank.command;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.command.access.AccountAccess;
import dev.eventbank.command.ownership.PartitionOwnership;
import dev.eventbank.command.writer.AccountPartitioner;
import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.commands.AccountNumberAction;
import dev.eventbank.schemas.commands.AccountNumberCommand;
import dev.eventbank.schemas.commands.BankAccountCommand;
import dev.eventbank.schemas.commands.CommandOutcome;
import dev.eventbank.schemas.commands.CommandResult;
import dev.eventbank.schemas.commands.DepositMoney;
import dev.eventbank.schemas.commands.OpenAccount;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.support.security.SecurityProblemHandler;
import dev.eventbank.support.testing.ForgedTokens;
import dev.eventbank.support.testing.LogCapture;
import dev.eventbank.support.testing.ServiceUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may send which command, on the real service and broker (issue 15): a matrix of every route of the command
 * service by every kind of caller, tokens forged each way, a customer's own accounts only (also through a second
 * instance that forwards to the owner of the account's partition, and after that owner is gone), and no existence
 * leak: another customer's account answers as one that does not exist, and nothing is appended for a refusal.
 */
class SecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String AVRO = "application/vnd.eventbank.avro";
    private static final String ALICE = "customer-alice-" + UUID.randomUUID();
    private static final String BOB = "customer-bob-" + UUID.randomUUID();

    private static ServiceUnderTest service;

    /** The callers of the matrix. */
    enum Who {
        NONE, OWNER, OTHER_CUSTOMER, TELLER, AUDITOR, OPERATOR;

        /** The Authorization header value ("" = send none). */
        String authorization() {
            return switch (this) {
                case NONE -> "";
                case OWNER -> ServiceUnderTest.bearer("customer", ALICE);
                case OTHER_CUSTOMER -> ServiceUnderTest.bearer("customer", BOB);
                case TELLER -> ServiceUnderTest.bearer("teller", "teller-tom");
                case AUDITOR -> ServiceUnderTest.bearer("auditor", "auditor-ann");
                case OPERATOR -> ServiceUnderTest.bearer("operator", "operator-otto");
            };
        }
    }

    @BeforeAll
    static void start() throws Exception {
        service = ServiceUnderTest.start("security-it", TestInstances.config()).awaitHealthy(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static Stream<Arguments> matrix() {
        // expected answers per caller: NONE, OWNER, OTHER_CUSTOMER, TELLER, AUDITOR, OPERATOR
        Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        expected.put("POST /accounts", List.of("401", "201", "201", "201", "403", "403"));
        expected.put("POST /accounts/{id}/deposits", List.of("401", "200", "404", "200", "403", "403"));
        expected.put("POST /accounts/{id}/withdrawals", List.of("401", "200", "404", "200", "403", "403"));
        expected.put("POST /accounts/{id}/close", List.of("401", "200", "404", "200", "403", "403"));
        // the internal routes with a user's token alone: refused whoever it is (only instances may call them)
        expected.put("POST /internal/commands", List.of("403", "403", "403", "403", "403", "403"));
        expected.put("POST /internal/account-numbers", List.of("403", "403", "403", "403", "403", "403"));
        // with the instances' credential too, as a forwarding instance sends them: a forwarded deposit, the owner
        // checks the token and the account itself (NOT_FOUND for another's account)
        expected.put("POST /internal/commands +instance", List.of("401", "200 ACCEPTED", "200 NOT_FOUND", "200 ACCEPTED", "403", "403"));
        // CHECK_HOLDER tells whether an account exists: a teller's step only
        expected.put("POST /internal/account-numbers +instance", List.of("401", "403", "403", "200 ACCEPTED", "403", "403"));
        expected.put("GET /health", List.of("200", "200", "200", "200", "200", "200"));
        expected.put("GET /health/liveness", List.of("200", "200", "200", "200", "200", "200"));
        expected.put("GET /health/readiness", List.of("200", "200", "200", "200", "200", "200"));
        expected.put("GET /prometheus", List.of("200", "200", "200", "200", "200", "200"));
        expected.put("GET /swagger/command-service-1.0.yml", List.of("200", "200", "200", "200", "200", "200"));
        expected.put("GET /swagger-ui/index.html", List.of("200", "200", "200", "200", "200", "200"));
        // no route: the same 404 problem for everyone (reject-not-found: false); it reaches no controller
        expected.put("GET /nowhere", List.of("404", "404", "404", "404", "404", "404"));
        List<Arguments> cases = new ArrayList<>();
        expected.forEach((route, answers) -> {
            for (Who who : Who.values()) {
                cases.add(Arguments.of(route, who, answers.get(who.ordinal())));
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} by {1} -> {2}")
    @MethodSource("matrix")
    void shouldAnswerEachRouteAsTheCallersRoleAllows(String route, Who who, String expected) throws Exception {
        // given an account of Alice's with no money on it (so that close may succeed) or with some
        String account = openFor(ALICE, route.endsWith("/close") ? "0" : "100");
        long eventsBefore = TestEventLog.eventsOf(account, 1).size();

        // when
        String answer = call(service, route, account, who.authorization());

        // then
        assertEquals(expected, answer, route + " by " + who);
        boolean movesAlicesAccount = route.startsWith("POST /accounts/") || route.startsWith("POST /internal/commands");
        int expectedAppended = movesAlicesAccount && expected.startsWith("200") && !expected.endsWith("NOT_FOUND") ? 1 : 0;
        long appended = TestEventLog.eventsOf(account, eventsBefore + expectedAppended).size() - eventsBefore;
        assertEquals(expectedAppended, appended, "events appended to Alice's account by " + route + " by " + who);
    }

    /** ForgedTokens' catalogue for a teller: the detail each gets names it. */
    static Stream<Arguments> forgedTokens() {
        return ForgedTokens.forRole("teller", "teller-tom").entrySet().stream()
                .map(forged -> Arguments.of(forged.getKey(), (Supplier<String>) forged::getValue, forged.getKey()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgedTokens")
    void shouldRefuseAForgedTokenWith401AndAppendNothing(String name, Supplier<String> authorization, String detail)
            throws Exception {
        // given
        String account = openFor(ALICE, "100");
        long eventsBefore = TestEventLog.eventsOf(account).size();
        try (LogCapture log = LogCapture.of(SecurityProblemHandler.class)) {
            // when
            HttpResponse<String> response = service.post("/accounts/" + account + "/withdrawals", "{\"amount\":\"100\"}",
                    Map.of("Authorization", authorization.get()));

            // then
            assertEquals(401, response.statusCode(), response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), name);
            JsonNode problem = JSON.readTree(response.body());
            assertEquals("/problems/unauthorized", problem.path("type").asText());
            assertTrue(problem.path("detail").asText().contains(detail), problem.path("detail").asText());
            assertEquals(eventsBefore, TestEventLog.eventsOf(account).size(), "appended for a request with a token " + name);
            List<ILoggingEvent> lines = log.lines("request refused status=401");
            assertEquals(1, lines.size(), "one log line per refusal: " + log.lines());
            assertNull(lines.get(0).getThrowableProxy(), "no stack trace for a refused token");
        }
    }

    @Test
    void shouldRefuseATokenWhoseSubjectIsANumberAndOpenNothing() throws Exception {
        // given a token of the trusted issuer for customer 123, the subject a JSON number (RFC 7519: a string)
        Instant now = Instant.now();
        String numeric = "Bearer " + ServiceUnderTest.issuer().sign(DevIssuer.claims("x", List.of("customer"), now,
                now.plusSeconds(600)).claim("sub", 123).build());

        // when: it opens an account (it was accepted and named the same customer as "sub":"123")
        HttpResponse<String> response = service.post("/accounts",
                "{\"owner\":\"Numeric Sub\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}",
                Map.of("Authorization", numeric));

        // then
        assertEquals(401, response.statusCode(), response.body());
        assertTrue(JSON.readTree(response.body()).path("detail").asText()
                .contains("sub must be a string (RFC 7519 section 4.1), got a number"), response.body());

        // and a blank subject, which was accepted as a customer named ""
        String blank = "Bearer " + ServiceUnderTest.issuer().sign(DevIssuer.claims("x", List.of("customer"), now,
                now.plusSeconds(600)).claim("sub", " ").build());
        HttpResponse<String> blankAnswer = service.post("/accounts",
                "{\"owner\":\"Blank Sub\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}", Map.of("Authorization", blank));
        assertEquals(401, blankAnswer.statusCode(), blankAnswer.body());
        assertTrue(JSON.readTree(blankAnswer.body()).path("detail").asText().contains("sub must name someone"),
                blankAnswer.body());
        // and roles that are not a list of strings, which were read as the role teller: a deposit was booked
        String account = openFor(ALICE, "100");
        for (Object roles : List.of("teller", List.of("teller", 5))) {
            String odd = "Bearer " + ServiceUnderTest.issuer().sign(DevIssuer.claims("teller-odd", List.of(), now,
                    now.plusSeconds(600)).claim("roles", roles).build());
            HttpResponse<String> oddAnswer = service.post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}",
                    Map.of("Authorization", odd));
            assertEquals(401, oddAnswer.statusCode(), oddAnswer.body());
            assertTrue(JSON.readTree(oddAnswer.body()).path("detail").asText().contains("roles must be a list of strings"),
                    oddAnswer.body());
        }
        assertEquals(1, TestEventLog.eventsOf(account).size(), "a deposit was booked for a token with odd roles");
    }

    @Test
    void shouldAnswer403WhenAValidTokenCarriesNoRoles() throws Exception {
        // given a token of the trusted issuer without any role: authenticated, allowed nothing
        Instant now = Instant.now();
        String account = openFor(ALICE, "100");
        String noRoles = "Bearer " + ServiceUnderTest.issuer().sign(DevIssuer.claims(ALICE, List.of(), now,
                now.plusSeconds(600)).build());

        // when
        HttpResponse<String> response = service.post("/accounts/" + account + "/withdrawals", "{\"amount\":\"1\"}",
                Map.of("Authorization", noRoles));

        // then
        assertEquals(403, response.statusCode(), response.body());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals("/problems/forbidden", problem.path("type").asText());
        assertTrue(problem.path("detail").asText().contains("do not allow POST"), problem.path("detail").asText());
        assertEquals(1, TestEventLog.eventsOf(account).size());
    }

    @Test
    void shouldAnswerAnotherCustomerExactlyAsForAnAccountThatDoesNotExist() throws Exception {
        // given Alice's account, which she deposited to with a key; and an account id nobody has
        String account = openFor(ALICE, "100");
        String unknown = UUID.randomUUID().toString();
        Map<String, String> alice = Map.of("Authorization", Who.OWNER.authorization(), "Idempotency-Key", "alice-k1");
        assertEquals(200, service.post("/accounts/" + account + "/deposits", "{\"amount\":\"5\"}", alice).statusCode());
        long eventsBefore = TestEventLog.eventsOf(account).size();

        // when Bob reuses her key, sends a stale If-Match, or asks plainly; and asks about the unknown id
        String bob = Who.OTHER_CUSTOMER.authorization();
        HttpResponse<String> reusedKey = service.post("/accounts/" + account + "/deposits", "{\"amount\":\"5\"}",
                Map.of("Authorization", bob, "Idempotency-Key", "alice-k1"));
        HttpResponse<String> staleVersion = service.post("/accounts/" + account + "/withdrawals", "{\"amount\":\"5\"}",
                Map.of("Authorization", bob, "If-Match", "\"1\""));
        HttpResponse<String> plain = service.post("/accounts/" + account + "/close", "", Map.of("Authorization", bob));
        HttpResponse<String> nonexistent = service.post("/accounts/" + unknown + "/close", "", Map.of("Authorization", bob));

        // then every answer is the unknown account's, but for the id in it
        JsonNode expected = withoutIds(nonexistent, unknown);
        for (HttpResponse<String> response : List.of(reusedKey, staleVersion, plain)) {
            assertEquals(404, response.statusCode(), response.body());
            assertEquals(expected, withoutIds(response, account), response.body());
        }
        assertEquals(eventsBefore, TestEventLog.eventsOf(account).size(), "appended for Bob");
    }

    @Test
    void shouldOpenACustomersAccountForItselfOnlyAndRecordItsOwnerInAccountOpened() throws Exception {
        // when
        HttpResponse<String> own = service.post("/accounts", "{\"owner\":\"Alice\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"ownerId\":\"" + ALICE + "\"}", Map.of("Authorization", Who.OWNER.authorization()));
        HttpResponse<String> forBob = service.post("/accounts", "{\"owner\":\"Alice\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"ownerId\":\"" + BOB + "\"}", Map.of("Authorization", Who.OWNER.authorization()));
        HttpResponse<String> chosenNumber = service.post("/accounts", "{\"owner\":\"Alice\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"accountNumber\":\"NL99 PICK 0001\"}", Map.of("Authorization", Who.OWNER.authorization()));
        HttpResponse<String> badOwnerId = service.post("/accounts", "{\"owner\":\"Alice\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"ownerId\":\"a\\u0000b\"}", Map.of());

        // then
        assertEquals(201, own.statusCode(), own.body());
        String account = JSON.readTree(own.body()).path("accountId").asText();
        List<BankAccountEvent> events = TestEventLog.eventsOf(account);
        assertEquals(ALICE, ((AccountOpened) events.get(0).getPayload()).getOwnerId(), "AccountOpened v3's ownerId");
        assertProblem(forBob, 403, "/problems/forbidden", "for itself only");
        assertProblem(chosenNumber, 403, "/problems/forbidden", "accountNumber");
        assertProblem(badOwnerId, 400, "/problems/invalid-request", "ownerId");
    }

    @Test
    void shouldRefuseACommandWithTwoAuthorizationHeadersWhicheverComesFirstAndOpenNothing() throws Exception {
        String customer = ServiceUnderTest.bearer("customer", ALICE);
        String teller = ServiceUnderTest.bearer("teller", "teller-tom");
        for (List<String> order : List.of(List.of(customer, teller), List.of(teller, customer))) {
            // when: the security filter would read the first one only
            String owner = "Two Credentials " + UUID.randomUUID();
            HttpResponse<String> opened = HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create(service.url("/accounts")))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("Authorization", order.get(0)).header("Authorization", order.get(1))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"owner\":\"" + owner
                            + "\",\"currency\":\"EUR\",\"initialDeposit\":\"1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());

            // then
            assertProblem(opened, 400, "/problems/invalid-request", "Authorization must be given once, got it on 2 lines");
            assertTrue(opened.headers().firstValue("X-Correlation-Id").isPresent(), opened.headers().toString());
        }
    }

    @Test
    void shouldOpenNothingForACustomerWhoseSubjectCouldNotBeAnOwnerId() throws Exception {
        // and white space at an end: "ada\n" is another principal than "ada", and was written raw as the owner
        for (String subject : List.of("c".repeat(201), " ada")) {
            // when
            HttpResponse<String> opened = service.post("/accounts", "{\"owner\":\"Eve\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"1\"}", Map.of("Authorization", ServiceUnderTest.bearer("customer", subject)));

            // then: refused as the ownerId a teller would be refused, and nothing written with it as owner
            assertProblem(opened, 403, "/problems/forbidden", "cannot own an account");
        }
        // a subject that names nobody (blank) or holds a control character is no valid token at all, for any role
        for (String subject : List.of("eve\n2026-12-01 INFO forged log line", " ", "ada\n", "ada\t")) {
            HttpResponse<String> opened = service.post("/accounts", "{\"owner\":\"Eve\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"1\"}", Map.of("Authorization", ServiceUnderTest.bearer("customer", subject)));
            assertProblem(opened, 401, "/problems/unauthorized", "sub must name someone");
        }
    }

    @Test
    void shouldLetATellerOpenAnAccountForACustomerOrForNone() throws Exception {
        // when
        String bobs = openFor(BOB, "10");
        String nobodys = open("{\"owner\":\"Bank\",\"currency\":\"EUR\",\"initialDeposit\":\"10\"}");

        // then: Bob moves his, Alice neither, only a teller the unowned one
        assertEquals(200, deposit(bobs, Who.OTHER_CUSTOMER).statusCode());
        assertEquals(404, deposit(bobs, Who.OWNER).statusCode());
        assertEquals(404, deposit(nobodys, Who.OWNER).statusCode());
        assertEquals(404, deposit(nobodys, Who.OTHER_CUSTOMER).statusCode());
        assertEquals(200, deposit(nobodys, Who.TELLER).statusCode());
        assertNull(((AccountOpened) TestEventLog.eventsOf(nobodys).get(0).getPayload()).getOwnerId());
    }

    @Test
    void shouldNotTellACustomerAnothersOutcomeWhenItReusesTheirIdempotencyKey() throws Exception {
        // given Alice's keyed open
        String body = "{\"owner\":\"Same Name\",\"currency\":\"EUR\",\"initialDeposit\":\"7\"}";
        String key = "open-" + UUID.randomUUID();
        HttpResponse<String> alices = service.post("/accounts", body, Map.of("Authorization", Who.OWNER.authorization(),
                "Idempotency-Key", key));

        // when Bob sends the same request with her key, and Alice retries hers
        HttpResponse<String> bobs = service.post("/accounts", body, Map.of("Authorization", Who.OTHER_CUSTOMER.authorization(),
                "Idempotency-Key", key));
        HttpResponse<String> alicesRetry = service.post("/accounts", body, Map.of("Authorization", Who.OWNER.authorization(),
                "Idempotency-Key", key));

        // then Bob opened an account of his own; Alice got her first outcome again
        assertEquals(201, alices.statusCode(), alices.body());
        assertEquals(201, bobs.statusCode(), bobs.body());
        String alicesAccount = JSON.readTree(alices.body()).path("accountId").asText();
        assertNotEquals(alicesAccount, JSON.readTree(bobs.body()).path("accountId").asText());
        assertEquals(alicesAccount, JSON.readTree(alicesRetry.body()).path("accountId").asText());
        assertEquals(1, TestEventLog.eventsOf(alicesAccount).size());
    }

    @Test
    void shouldNotLetACustomerOpenAnAccountWithANumberOfItsChoosingThroughTheInternalRoute() throws Exception {
        // given Bob's account, opened by a teller with the number he gives his payers
        String number = "NL" + (10 + new java.util.Random().nextInt(89)) + " BOBS " + UUID.randomUUID().toString()
                .substring(0, 8).toUpperCase(java.util.Locale.ROOT);
        HttpResponse<String> bobs = service.post("/accounts", "{\"owner\":\"Bob\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"ownerId\":\"" + BOB + "\",\"accountNumber\":\"" + number + "\"}",
                Map.of("Authorization", Who.TELLER.authorization()));
        assertEquals(201, bobs.statusCode(), bobs.body());

        // when Alice sends, as a forwarding instance would, an open of her own account (her id as owner, the account
        // id her key derives) that names Bob's number, which the public API refuses her (403)
        String key = "alice-open-" + UUID.randomUUID();
        String account = AccountAccess.customerAccountId(ALICE, key, null);
        byte[] open = toBytes(BankAccountCommand.newBuilder()
                .setCommandId(UUID.nameUUIDFromBytes(("command:" + account + ":" + key).getBytes(StandardCharsets.UTF_8))
                        .toString())
                .setAccountId(account).setExpectedVersion(null).setCorrelationId("security-it").setIdempotencyKey(key)
                .setFingerprint("f").setIssuedAt(Instant.now())
                .setPayload(new OpenAccount(number, "Alice", "EUR", AvroDecimals.toWire(BigDecimal.ONE), null, null, ALICE))
                .build().toByteBuffer());
        Internal answer = internal(service, open, Who.OWNER.authorization());

        // then it is refused, and no second account has Bob's number
        assertEquals("403", answer.answer());
        assertEquals(List.of(), TestEventLog.eventsOf(account));
    }

    @Test
    void shouldRefuseAForwardedKeyedCommandWhoseIdItsKeyDoesNotDerive() throws Exception {
        // given Bob's account, and an account of Alice's in the same partition (where outcomes are recorded)
        String bobsAccount = openFor(BOB, "0");
        String account = null;
        for (int i = 0; i < 40 && account == null; i++) {
            String opened = JSON.readTree(service.post("/accounts", "{\"owner\":\"Alice\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"5\"}", Map.of("Authorization", Who.OWNER.authorization())).body())
                    .path("accountId").asText();
            if (AccountPartitioner.partitionOf(opened, 3) == AccountPartitioner.partitionOf(bobsAccount, 3)) {
                account = opened;
            }
        }
        assertTrue(account != null, "no account of Alice's landed in the partition of Bob's");
        // and the id Bob's keyed deposit to his account will have (derived from his account id and his key)
        String bobsKey = "bob-deposit-1";
        String bobsCommandId = UUID.nameUUIDFromBytes(("command:" + bobsAccount + ":" + bobsKey)
                .getBytes(StandardCharsets.UTF_8)).toString();

        // when Alice records, through the internal route, a deposit to her own account under that id
        byte[] poisoned = toBytes(BankAccountCommand.newBuilder()
                .setCommandId(bobsCommandId).setAccountId(account).setExpectedVersion(null)
                .setCorrelationId("security-it").setIdempotencyKey("any-key").setFingerprint("f").setIssuedAt(Instant.now())
                .setPayload(new DepositMoney(AvroDecimals.toWire(BigDecimal.ONE), null)).build().toByteBuffer());
        Internal answer = internal(service, poisoned, Who.OWNER.authorization());
        HttpResponse<String> bobsDeposit = service.post("/accounts/" + bobsAccount + "/deposits", "{\"amount\":\"2\"}",
                Map.of("Authorization", Who.OTHER_CUSTOMER.authorization(), "Idempotency-Key", bobsKey));

        // then the internal route refuses it, and Bob's deposit is decided as his own
        assertEquals("400", answer.answer());
        assertEquals(1, TestEventLog.eventsOf(account).size(), "appended to Alice's account under Bob's command id");
        assertEquals(200, bobsDeposit.statusCode(), bobsDeposit.body());
        assertEquals(2, TestEventLog.eventsOf(bobsAccount).size());
    }

    /** Instance credentials other than the right one: none, wrong password or username, not Basic, a user's token. */
    static Stream<Arguments> wrongInstanceCredentials() {
        return Stream.of(
                Arguments.of("none", "", "needs their credential in the X-Eventbank-Instance-Auth header"),
                Arguments.of("wrong password", TestInstances.basic("command-service", "guessed"), "does not match"),
                Arguments.of("wrong username", TestInstances.basic("someone", TestInstances.PASSWORD), "does not match"),
                Arguments.of("the password alone", TestInstances.PASSWORD, "does not match"),
                Arguments.of("a teller's token", Who.TELLER.authorization(), "does not match"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongInstanceCredentials")
    void shouldRefuseATellersOpenAndNumberReservationSentStraightToTheInternalRoutes(String name, String instance,
                                                                                      String detail) throws Exception {
        // given Bob's account, opened by a teller with the number he gives his payers, and a number nobody holds
        String bobsNumber = "NL" + (10 + new java.util.Random().nextInt(89)) + " BOBS " + UUID.randomUUID().toString()
                .substring(0, 8).toUpperCase(java.util.Locale.ROOT);
        HttpResponse<String> bobs = service.post("/accounts", "{\"owner\":\"Bob\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"ownerId\":\"" + BOB + "\",\"accountNumber\":\"" + bobsNumber + "\"}",
                Map.of("Authorization", Who.TELLER.authorization()));
        assertEquals(201, bobs.statusCode(), bobs.body());
        String freeNumber = "NL55 FREE " + UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
        String account = UUID.randomUUID().toString();
        byte[] open = toBytes(BankAccountCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setAccountId(account).setExpectedVersion(null)
                .setCorrelationId("security-it").setIdempotencyKey(null).setFingerprint("f").setIssuedAt(Instant.now())
                .setPayload(new OpenAccount(bobsNumber, "Mallory", "EUR", AvroDecimals.toWire(BigDecimal.ONE), null, null, null))
                .build().toByteBuffer());
        byte[] reserve = toBytes(AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setAction(AccountNumberAction.RESERVE)
                .setAccountNumber(freeNumber).setAccountId(UUID.randomUUID().toString()).setOpenCommandId("x")
                .setOpenFingerprint("x").setReplaces(null).setCorrelationId("security-it").setIssuedAt(Instant.now())
                .build().toByteBuffer());

        try (LogCapture log = LogCapture.of("dev.eventbank.command.security.InternalApiProblemHandler")) {
            // when a teller sends, as only a forwarding instance may, an open that names Bob's number (which skips
            // the reservation the public API makes first), and a reservation of a free number
            HttpResponse<byte[]> opened = sendInternal(service, "/internal/commands", open, Who.TELLER.authorization(), instance);
            HttpResponse<byte[]> reserved = sendInternal(service, "/internal/account-numbers", reserve,
                    Who.TELLER.authorization(), instance);

            // then both are refused for the instance credential, before anything is decided
            for (HttpResponse<byte[]> response : List.of(opened, reserved)) {
                assertEquals(403, response.statusCode(), name);
                assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
                JsonNode problem = JSON.readTree(response.body());
                assertEquals("/problems/instance-credential", problem.path("type").asText(), problem.toString());
                assertTrue(problem.path("detail").asText().contains(detail), problem.toString());
            }
            List<ILoggingEvent> lines = log.lines("request refused status=403");
            assertEquals(2, lines.size(), "one log line per refusal: " + log.lines());
            lines.forEach(line -> assertNull(line.getThrowableProxy(), "no stack trace for a refused credential"));
            lines.forEach(line -> assertTrue(!line.getFormattedMessage().contains(TestInstances.PASSWORD)
                    && !line.getFormattedMessage().contains("Basic "), line.getFormattedMessage()));
        }
        // and no account was opened, and the free number is free: a teller's public open takes it
        assertEquals(List.of(), TestEventLog.eventsOf(account));
        HttpResponse<String> takesFree = service.post("/accounts", "{\"owner\":\"Ada\",\"currency\":\"EUR\","
                + "\"initialDeposit\":\"1\",\"accountNumber\":\"" + freeNumber + "\"}",
                Map.of("Authorization", Who.TELLER.authorization()));
        assertEquals(201, takesFree.statusCode(), takesFree.body());
    }

    @Test
    void shouldAnswer503AndLogAnErrorWhenTheInstancesCredentialsDiffer() throws Exception {
        // given two instances sharing the partitions, the second with the instance credential, the first without
        // (an operator's mistake: every instance needs the same)
        String group = "security-misconfigured-" + UUID.randomUUID();
        Map<String, Object> shared = Map.of("eventbank.commands.group-id", group,
                "eventbank.commands.transactional-id-prefix", group);
        try (ServiceUnderTest first = ServiceUnderTest.start("security-misconfigured-a", shared);
             ServiceUnderTest second = ServiceUnderTest.start("security-misconfigured-b", TestInstances.with(shared))) {
            awaitOwning(first, second);
            // an account in a partition of each, opened through its owner (no forwarding needed)
            String firsts = openOwnedBy(first);
            String seconds = openOwnedBy(second);

            try (LogCapture log = LogCapture.of("dev.eventbank.command.routing.CommandRouter")) {
                // when a teller deposits to each through the other instance, and calls the first's internal route
                // with the credential the second has
                HttpResponse<String> viaFirst = first.post("/accounts/" + seconds + "/deposits", "{\"amount\":\"1\"}",
                        Map.of("Authorization", Who.TELLER.authorization()));
                HttpResponse<String> viaSecond = second.post("/accounts/" + firsts + "/deposits", "{\"amount\":\"1\"}",
                        Map.of("Authorization", Who.TELLER.authorization()));
                HttpResponse<byte[]> direct = sendInternal(first, "/internal/commands", forwardedDeposit(firsts),
                        Who.TELLER.authorization(), TestInstances.header());

                // then each forwarding instance answers 503 (not the client's fault) saying so, and logs an ERROR
                for (HttpResponse<String> response : List.of(viaFirst, viaSecond)) {
                    assertProblem(response, 503, "/problems/unavailable", "misconfigured");
                    assertTrue(response.body().contains("eventbank.security.internal"), response.body());
                }
                List<ILoggingEvent> errors = log.lines("forwarded command refused for this instance's credential");
                assertEquals(2, errors.size(), log.lines().toString());
                errors.forEach(line -> assertEquals(ch.qos.logback.classic.Level.ERROR, line.getLevel()));
                // and the instance without a password has its internal API closed
                assertEquals(403, direct.statusCode());
                assertTrue(JSON.readTree(direct.body()).path("detail").asText()
                        .contains("no eventbank.security.internal.password"), new String(direct.body(), StandardCharsets.UTF_8));
            }
            // and nothing was appended to either account
            assertEquals(1, TestEventLog.eventsOf(firsts).size());
            assertEquals(1, TestEventLog.eventsOf(seconds).size());
        }
    }

    @Test
    void shouldAnswerTheClientTheOwnersRefusalOfItsTokenNotA5xx() throws Exception {
        // given two instances with the same instance credential, whose second (the owner of some partitions) takes
        // only tokens for another audience: a stand-in for an owner that refuses a token the first accepted (one that
        // expired in flight, signed by a key the owner has not fetched yet)
        String group = "security-passthrough-" + UUID.randomUUID();
        Map<String, Object> shared = TestInstances.with(Map.of("eventbank.commands.group-id", group,
                "eventbank.commands.transactional-id-prefix", group));
        Map<String, Object> otherAudience = new java.util.HashMap<>(shared);
        otherAudience.put("micronaut.security.token.jwt.claims-validators.audience", "another-audience");
        try (ServiceUnderTest first = ServiceUnderTest.start("security-passthrough-a", shared);
             ServiceUnderTest second = ServiceUnderTest.start("security-passthrough-b", otherAudience)) {
            awaitOwning(first, second);
            // an account in a partition of the second's, opened through it with a token for both audiences
            Instant now = Instant.now();
            String bothAudiences = "Bearer " + ServiceUnderTest.issuer().sign(DevIssuer.claims("teller-tom",
                    List.of("teller"), now, now.plusSeconds(600)).audience(List.of(DevIssuer.AUDIENCE, "another-audience"))
                    .build());
            String account = openOwnedBy(second, bothAudiences);

            // when a teller's deposit with a token for our audience only reaches the first, which forwards it
            HttpResponse<String> deposit = first.post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}",
                    Map.of("Authorization", Who.TELLER.authorization()));

            // then the client gets the owner's 401 and why, not an "outcome unknown"; nothing was appended
            assertProblem(deposit, 401, "/problems/unauthorized", "another-audience");
            assertTrue(deposit.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertEquals(1, TestEventLog.eventsOf(account).size());
        }
    }

    @Test
    void shouldKeepACustomerFromAnothersMoneyThroughASecondInstanceAndAfterTheOwnerIsGone() throws Exception {
        // given two instances sharing the partitions of the event log, each owning some
        String group = "security-pair-" + UUID.randomUUID();
        Map<String, Object> shared = TestInstances.with(Map.of("eventbank.commands.group-id", group,
                "eventbank.commands.transactional-id-prefix", group));
        ServiceUnderTest first = ServiceUnderTest.start("security-pair-a", shared);
        try (ServiceUnderTest second = ServiceUnderTest.start("security-pair-b", shared)) {
            awaitOwning(first, second);
            // Alice's accounts, opened through the first, until one is in a partition of the second's
            PartitionOwnership secondOwns = second.context().getBean(PartitionOwnership.class);
            List<String> accounts = new ArrayList<>();
            String remote = null;
            while (remote == null && accounts.size() < 40) {
                HttpResponse<String> opened = first.post("/accounts", "{\"owner\":\"Alice\",\"currency\":\"EUR\","
                        + "\"initialDeposit\":\"0\"}", Map.of("Authorization", Who.OWNER.authorization()));
                assertEquals(201, opened.statusCode(), opened.body());
                String account = JSON.readTree(opened.body()).path("accountId").asText();
                accounts.add(account);
                if (secondOwns.owned().contains(AccountPartitioner.partitionOf(account, 3))) {
                    remote = account;
                }
            }
            assertTrue(remote != null, "no account of Alice's landed in a partition of the second instance");
            long eventsBefore = TestEventLog.eventsOf(remote).size();

            // when Bob asks the first instance to move or close it (it forwards to the second), and asks the owner
            // directly with a command of his making (as if he also had the instances' credential)
            String bob = Who.OTHER_CUSTOMER.authorization();
            HttpResponse<String> withdrawal = first.post("/accounts/" + remote + "/withdrawals", "{\"amount\":\"1\"}",
                    Map.of("Authorization", bob));
            HttpResponse<String> close = first.post("/accounts/" + remote + "/close", "", Map.of("Authorization", bob));
            HttpResponse<String> deposit = first.post("/accounts/" + remote + "/deposits", "{\"amount\":\"1\"}",
                    Map.of("Authorization", bob));
            CommandResult direct = internal(second, forwardedDeposit(remote), bob).result;

            // then the owner refused each as a missing account, and nothing was appended
            for (HttpResponse<String> response : List.of(withdrawal, close, deposit)) {
                assertProblem(response, 404, "/problems/account-not-found", "does not exist");
            }
            assertEquals(CommandOutcome.NOT_FOUND, direct.getOutcome());
            assertEquals(eventsBefore, TestEventLog.eventsOf(remote).size(), "appended for Bob through the second instance");
            // and Alice's own deposit travels the same way with her token
            assertEquals(200, first.post("/accounts/" + remote + "/deposits", "{\"amount\":\"3\"}",
                    Map.of("Authorization", Who.OWNER.authorization())).statusCode());

            // when the first instance is gone, the second restores its partitions (aggregates with their owners)
            first.close();
            awaitOwningAll(second);

            // then every account is still Alice's alone
            for (String account : accounts) {
                assertEquals(200, second.post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}",
                        Map.of("Authorization", Who.OWNER.authorization())).statusCode(), account);
                assertProblem(second.post("/accounts/" + account + "/withdrawals", "{\"amount\":\"1\"}",
                        Map.of("Authorization", bob)), 404, "/problems/account-not-found", "does not exist");
            }
        } finally {
            first.close();
        }
    }

    @Test
    void shouldVerifyTokensAgainstTheKeysServedAtAJwksUrl() throws Exception {
        // given the identity provider's keys served over HTTP (as a real provider serves its JWKS), and an instance
        // whose only static key set is another issuer's, so that a test token verifies through the URL or not at all
        byte[] jwks = Files.readAllBytes(ServiceUnderTest.issuer().jwksFile());
        java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer provider = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("localhost", 0), 0);
        provider.createContext("/realms/eventbank/certs", exchange -> {
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        provider.start();
        try (ServiceUnderTest viaUrl = ServiceUnderTest.start("security-jwks-url", Map.of(
                "micronaut.security.token.jwt.signatures.jwks-static.dev.path", "file:" + ForgedTokens.anotherIssuer().jwksFile(),
                "micronaut.security.token.jwt.signatures.jwks.idp.url",
                "http://localhost:" + provider.getAddress().getPort() + "/realms/eventbank/certs"))) {
            viaUrl.awaitHealthy(Duration.ofSeconds(60));

            // when
            HttpResponse<String> teller = viaUrl.post("/accounts", "{\"owner\":\"Ada\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"1\"}", Map.of("Authorization", Who.TELLER.authorization()));
            HttpResponse<String> wrongKey = viaUrl.post("/accounts", "{\"owner\":\"Ada\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"1\"}", Map.of("Authorization", "Bearer " + ForgedTokens.anotherIssuer().token("teller", "x")));

            // then
            assertEquals(201, teller.statusCode(), teller.body());
            assertTrue(fetches.get() > 0, "the keys were not fetched from the JWKS URL");
            assertEquals(401, wrongKey.statusCode(), wrongKey.body());
        } finally {
            provider.stop(0);
        }
    }

    // ---- helpers

    /** A teller's open of an account owned by {@code ownerId}, with {@code initialDeposit} EUR; its id. */
    private static String openFor(String ownerId, String initialDeposit) throws Exception {
        return open("{\"owner\":\"Alice Example\",\"currency\":\"EUR\",\"initialDeposit\":\"" + initialDeposit
                + "\",\"ownerId\":\"" + ownerId + "\"}");
    }

    private static String open(String body) throws Exception {
        HttpResponse<String> opened = service.post("/accounts", body, Map.of("Authorization", Who.TELLER.authorization()));
        assertEquals(201, opened.statusCode(), opened.body());
        return JSON.readTree(opened.body()).path("accountId").asText();
    }

    /** A teller's open through {@code owner} until the account lands in a partition {@code owner} owns; its id. */
    private static String openOwnedBy(ServiceUnderTest owner) throws Exception {
        return openOwnedBy(owner, Who.TELLER.authorization());
    }

    private static String openOwnedBy(ServiceUnderTest owner, String authorization) throws Exception {
        PartitionOwnership owns = owner.context().getBean(PartitionOwnership.class);
        // the open's number reservation may go to another instance too: several tries
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> opened = owner.post("/accounts", "{\"owner\":\"Ada\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"1\"}", Map.of("Authorization", authorization));
            String account = JSON.readTree(opened.body()).path("accountId").asText();
            if (opened.statusCode() == 201 && owns.owned().contains(AccountPartitioner.partitionOf(account, 3))) {
                return account;
            }
        }
        throw new AssertionError("no account landed in a partition of the instance");
    }

    private static HttpResponse<String> deposit(String account, Who who) throws Exception {
        return service.post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}", Map.of("Authorization", who.authorization()));
    }

    /** The answer to {@code route} as the matrix writes it: the status, and for internal routes the outcome. */
    private static String call(ServiceUnderTest on, String route, String account, String authorization) throws Exception {
        Map<String, String> auth = Map.of("Authorization", authorization);
        String instance = route.endsWith(" +instance") ? TestInstances.header() : "";
        return switch (route.replace(" +instance", "")) {
            case "POST /accounts" -> status(on.post("/accounts",
                    "{\"owner\":\"Someone\",\"currency\":\"EUR\",\"initialDeposit\":\"10\"}", auth));
            case "POST /accounts/{id}/deposits" -> status(on.post("/accounts/" + account + "/deposits", "{\"amount\":\"1\"}", auth));
            case "POST /accounts/{id}/withdrawals" -> status(on.post("/accounts/" + account + "/withdrawals", "{\"amount\":\"1\"}", auth));
            case "POST /accounts/{id}/close" -> status(on.post("/accounts/" + account + "/close", "", auth));
            case "POST /internal/commands" -> internal(on, "/internal/commands", forwardedDeposit(account), authorization,
                    instance).answer();
            case "POST /internal/account-numbers" -> internal(on, "/internal/account-numbers", checkHolder(account),
                    authorization, instance).answer();
            default -> status(on.get(route.substring("GET ".length()), auth));
        };
    }

    private static String status(HttpResponse<String> response) {
        if (response.statusCode() >= 400) {
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        }
        return String.valueOf(response.statusCode());
    }

    private static byte[] forwardedDeposit(String account) throws Exception {
        return toBytes(BankAccountCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setAccountId(account).setExpectedVersion(null)
                .setCorrelationId("security-it").setIdempotencyKey(null).setFingerprint("f").setIssuedAt(Instant.now())
                .setPayload(new DepositMoney(AvroDecimals.toWire(BigDecimal.ONE), null)).build().toByteBuffer());
    }

    private record Internal(int status, CommandResult result) {
        String answer() {
            return result == null ? String.valueOf(status) : status + " " + result.getOutcome();
        }
    }

    /** {@code command} sent to {@code /internal/commands} as a forwarding instance sends it (with its credential). */
    private static Internal internal(ServiceUnderTest on, byte[] command, String authorization) throws Exception {
        return internal(on, "/internal/commands", command, authorization, TestInstances.header());
    }

    /** A CHECK_HOLDER of the generated number of {@code account}: a teller's step, which tells whether it exists. */
    private static byte[] checkHolder(String account) throws Exception {
        return toBytes(AccountNumberCommand.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setAction(AccountNumberAction.CHECK_HOLDER)
                .setAccountNumber("EVBK" + account.replace("-", "").substring(0, 12).toUpperCase(java.util.Locale.ROOT))
                .setAccountId(account).setOpenCommandId("x").setOpenFingerprint("x").setReplaces(null)
                .setCorrelationId("security-it").setIssuedAt(Instant.now()).build().toByteBuffer());
    }

    /** Empty {@code authorization} or {@code instance}: that header is not sent. */
    private static Internal internal(ServiceUnderTest on, String path, byte[] command, String authorization,
                                     String instance) throws Exception {
        HttpResponse<byte[]> response = sendInternal(on, path, command, authorization, instance);
        if (response.statusCode() != 200) {
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""),
                    new String(response.body(), StandardCharsets.UTF_8));
        }
        return new Internal(response.statusCode(), response.statusCode() == 200
                ? CommandResult.fromByteBuffer(ByteBuffer.wrap(response.body())) : null);
    }

    private static HttpResponse<byte[]> sendInternal(ServiceUnderTest on, String path, byte[] command,
                                                     String authorization, String instance) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(on.url(path))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", AVRO).header("Accept", AVRO).POST(HttpRequest.BodyPublishers.ofByteArray(command));
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        if (!instance.isEmpty()) {
            request.header(TestInstances.HEADER, instance);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type, String detail) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(type, problem.path("type").asText(), response.body());
        assertTrue(problem.path("detail").asText().contains(detail), response.body());
    }

    /** The problem with the account id replaced and the (random) command id dropped. */
    private static JsonNode withoutIds(HttpResponse<String> response, String account) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode problem = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(response.body().replace(account, "<id>"));
        problem.remove("commandId");
        problem.remove("instance");
        return problem;
    }

    private static void awaitOwning(ServiceUnderTest... instances) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (ServiceUnderTest instance : instances) {
                all &= !instance.context().getBean(PartitionOwnership.class).owned().isEmpty()
                        && instance.get("/health").statusCode() == 200;
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the instances did not share the partitions within 60 s");
    }

    private static void awaitOwningAll(ServiceUnderTest instance) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (instance.context().getBean(PartitionOwnership.class).owned().size() == 3
                    && instance.get("/health").statusCode() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the remaining instance did not take over every partition within 60 s");
    }
}
