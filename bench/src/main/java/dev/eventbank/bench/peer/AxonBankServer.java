package dev.eventbank.bench.peer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.eventbank.bench.peer.AccountCommands.DepositMoney;
import dev.eventbank.bench.peer.AccountCommands.OpenAccount;
import dev.eventbank.bench.peer.AccountCommands.WithdrawMoney;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.caching.EhCache3Adapter;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.messaging.interceptors.CorrelationDataInterceptor;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.core.Ehcache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Currency;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The peer's bank-account service: Axon Framework 4.13 without Spring, event-sourced {@link BankAccount} aggregates
 * in Axon's {@link JdbcEventStorageEngine} on PostgreSQL, a tracking event processor keeping {@link AccountView} up
 * to date, and the same REST subset as our command and query services on one port, so the benchmark drives both
 * systems with the same client:
 * <ul>
 *   <li>{@code POST /accounts} {@code {"owner","currency","initialDeposit"}} -> 201 {@code {"accountId","version"}}</li>
 *   <li>{@code POST /accounts/{id}/deposits|withdrawals} {@code {"amount"}} -> 200 {@code {"accountId","version"}}</li>
 *   <li>{@code GET /accounts/{id}?minVersion=V} -> 200 once the read model has version V (waits up to 5 s, as our
 *       query service does, then 503)</li>
 *   <li>{@code GET /health} -> 200 {@code {"status":"UP"}} once the processor has claimed its token</li>
 * </ul>
 * Errors are {@code application/problem+json}: 400 bad input, 404 unknown account or route, 405, 413 over 16 KB,
 * 422 a business rule, 409 an id already taken.
 *
 * <p>Run: {@code java -cp bench.jar dev.eventbank.bench.peer.AxonBankServer --port P --jdbc-url URL [--user U]
 * [--pool N] [--http-threads N] [--processor tracking|pooled]}.
 *
 * <p>Settings, chosen as a team chasing latency on one node would:
 * <ul>
 *   <li>a HikariCP pool as large as the HTTP pool (64), so no request waits for a connection, and PostgreSQL groups
 *       the WAL flushes of concurrent commits;</li>
 *   <li>an aggregate cache (Axon's {@code EhCache3Adapter}, Ehcache 3 on the heap, up to 100,000 accounts) plus a
 *       snapshot every 100 events (ours snapshot every 100 too), so a command finds its account in memory, as ours
 *       finds it in its state store, and a cache miss reads a snapshot and at most 99 events. Axon's simpler
 *       {@code WeakReferenceCache} would lose its entries at every garbage collection;</li>
 *   <li>a <em>tracking</em> event processor, 1 thread, batches of up to 100 events: a batch takes what has arrived and
 *       never waits to fill up, and the embedded event store wakes its reader on every commit in this JVM and the
 *       processor on every event read, so an event is processed as soon as it is committed. The pooled streaming
 *       processor ({@code --processor pooled}) is Axon's newer streaming processor, but its coordinator gets no such wake-up
 *       from the embedded event store's streams and, once caught up, looks for events every 500 ms: measured here,
 *       command-to-visible p50 490 ms against 22 ms for the tracking processor;</li>
 *   <li>the event store's {@code fetchDelay} stays at 1 s: it only bounds how late events appended by another
 *       process would be seen, and there is none.</li>
 * </ul>
 *
 * <p>Limits: no idempotency keys and no {@code If-Match}; one JVM (the aggregate lock and the read-your-writes signal
 * are in-JVM); {@code JdbcEventStorageEngine} appends through one global sequence, so every writer contends on one
 * table and index.
 */
public final class AxonBankServer {

    static final Duration MIN_VERSION_WAIT = Duration.ofSeconds(5);
    private static final int MAX_BODY = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final CommandGateway commands;
    private final AccountView view;
    private final StreamingEventProcessor processor;

    private AxonBankServer(CommandGateway commands, AccountView view, StreamingEventProcessor processor) {
        this.commands = commands;
        this.view = view;
        this.processor = processor;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int port = Integer.parseInt(required(options, "port"));
        int poolSize = Integer.parseInt(options.getOrDefault("pool", "64"));
        int httpThreads = Integer.parseInt(options.getOrDefault("http-threads", "64"));
        boolean pooled = switch (options.getOrDefault("processor", "tracking")) {
            case "tracking" -> false;
            case "pooled" -> true;
            default -> throw new IllegalArgumentException("--processor is tracking or pooled");
        };

        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(required(options, "jdbc-url"));
        pool.setUsername(options.getOrDefault("user", "postgres"));
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(poolSize);
        pool.setPoolName("axon-peer");
        HikariDataSource dataSource = new HikariDataSource(pool);
        JdbcTransactions transactions = new JdbcTransactions(dataSource);

        // Jackson, not XStream, for events, snapshots and tokens
        JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
        JdbcEventStorageEngine storage = JdbcEventStorageEngine.builder()
                .connectionProvider(transactions)
                .transactionManager(transactions)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .build();
        JdbcTokenStore tokens = JdbcTokenStore.builder()
                .connectionProvider(transactions)
                .serializer(serializer)
                .build();
        storage.createSchema(PostgresEventTableFactory.INSTANCE);
        tokens.createSchema(PostgresTokenTableFactory.INSTANCE);
        AccountView.createTable(transactions);
        AccountView view = new AccountView(transactions);

        // a heap cache that holds every account of the benchmark: a command finds its aggregate here instead of
        // reading the snapshot and the events after it (Axon's WeakReferenceCache loses entries at every GC)
        CacheManager caches = CacheManagerBuilder.newCacheManagerBuilder()
                .withCache("aggregates", CacheConfigurationBuilder.newCacheConfigurationBuilder(Object.class, Object.class,
                        ResourcePoolsBuilder.heap(100_000)))
                .build(true);
        EhCache3Adapter aggregateCache = new EhCache3Adapter((Ehcache) caches.getCache("aggregates", Object.class, Object.class));

        Configuration axon = DefaultConfigurer.defaultConfiguration()
                .configureSerializer(c -> serializer)
                .configureEventSerializer(c -> serializer)
                .configureMessageSerializer(c -> serializer)
                .configureTransactionManager(c -> transactions)
                // every commit in this JVM wakes the event store's reader (see the class comment on fetchDelay)
                .configureEventStore(c -> EmbeddedEventStore.builder().storageEngine(storage).build())
                .configureCommandBus(c -> {
                    // the interceptor runs each command's unit of work in a JDBC transaction: the events appended in
                    // its prepare-commit phase commit with it, before the caller gets its answer
                    SimpleCommandBus bus = SimpleCommandBus.builder().transactionManager(transactions).build();
                    bus.registerHandlerInterceptor(new CorrelationDataInterceptor<>(c.correlationDataProviders()));
                    return bus;
                })
                .configureAggregate(AggregateConfigurer.defaultConfiguration(BankAccount.class)
                        .configureCache(c -> aggregateCache)
                        .configureSnapshotTrigger(c -> new EventCountSnapshotTriggerDefinition(c.snapshotter(), 100)))
                .eventProcessing(processing -> {
                    processing.registerTokenStore(c -> tokens).registerEventHandler(c -> view);
                    if (pooled) {
                        // for comparison only: its coordinator gets no wake-up from the embedded event store's
                        // streams, so once caught up it looks for new events every 500 ms
                        processing.registerPooledStreamingEventProcessor(AccountView.PROCESSOR, Configuration::eventStore,
                                (c, builder) -> builder.batchSize(100).initialSegmentCount(1));
                    } else {
                        // one thread, one segment; a batch takes what is there (up to 100 events, one transaction
                        // with the token) and never waits to fill up, and the event store signals each new event
                        processing.registerTrackingEventProcessor(AccountView.PROCESSOR, Configuration::eventStore,
                                c -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing().andBatchSize(100));
                    }
                })
                .buildConfiguration();
        axon.start();
        StreamingEventProcessor processor = axon.eventProcessingConfiguration()
                .eventProcessor(AccountView.PROCESSOR, StreamingEventProcessor.class)
                .orElseThrow(() -> new IllegalStateException("processor " + AccountView.PROCESSOR + " not configured"));

        AxonBankServer server = new AxonBankServer(axon.commandGateway(), view, processor);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService threads = Executors.newFixedThreadPool(httpThreads);
        http.setExecutor(threads);
        http.createContext("/", server::handle);
        http.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop(0);
            threads.shutdownNow();
            axon.shutdown();
            caches.close();
            dataSource.close();
        }, "axon-peer-stop"));
        System.out.printf("axon peer listening port=%d pool=%d httpThreads=%d processor=%s%n", port, poolSize, httpThreads,
                pooled ? "pooled" : "tracking");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            String[] parts = path.replaceAll("^/+|/+$", "").split("/");
            try {
                if (path.equals("/health")) {
                    requireMethod(method, "GET");
                    health(exchange);
                } else if (parts.length == 1 && parts[0].equals("accounts")) {
                    requireMethod(method, "POST");
                    open(exchange);
                } else if (parts.length == 2 && parts[0].equals("accounts")) {
                    requireMethod(method, "GET");
                    get(exchange, parts[1]);
                } else if (parts.length == 3 && parts[0].equals("accounts")
                        && (parts[2].equals("deposits") || parts[2].equals("withdrawals"))) {
                    requireMethod(method, "POST");
                    move(exchange, parts[1], parts[2].equals("deposits"));
                } else {
                    throw new Problem(404, "Not Found", "no route " + method + " " + path);
                }
            } catch (Problem problem) {
                problem(exchange, problem.status, problem.title, problem.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem(exchange, 503, "Service Unavailable", "shutting down");
            } catch (RuntimeException | java.sql.SQLException e) {
                answerFailure(exchange, e);
            }
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        boolean up = processor.isRunning() && !processor.isError() && !processor.processingStatus().isEmpty();
        send(exchange, up ? 200 : 503, "application/json", "{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}");
    }

    private void open(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        String owner = text(body, "owner");
        if (owner.isBlank() || owner.length() > 200) {
            throw new Problem(400, "Bad Request", "owner must be 1 to 200 characters");
        }
        String currency = text(body, "currency");
        Currency known;
        try {
            known = Currency.getInstance(currency);
        } catch (IllegalArgumentException e) {
            throw new Problem(400, "Bad Request", "currency must be an ISO 4217 code, got '" + currency + "'");
        }
        BigDecimal initial = body.has("initialDeposit") ? amount(body, "initialDeposit") : BigDecimal.ZERO;
        if (initial.signum() < 0 || initial.stripTrailingZeros().scale() > known.getDefaultFractionDigits()) {
            throw new Problem(400, "Bad Request", "initialDeposit must be zero or positive with at most "
                    + known.getDefaultFractionDigits() + " decimals");
        }
        String id = UUID.randomUUID().toString();
        commands.sendAndWait(new OpenAccount(id, owner, currency, initial));
        exchange.getResponseHeaders().add("Location", "/accounts/" + id);
        exchange.getResponseHeaders().add("ETag", "\"1\"");
        send(exchange, 201, "application/json", "{\"accountId\":\"" + id + "\",\"version\":1}");
    }

    private void move(HttpExchange exchange, String id, boolean deposit) throws IOException {
        JsonNode body = body(exchange);
        BigDecimal amount = amount(body, "amount");
        if (amount.signum() <= 0) {
            throw new Problem(400, "Bad Request", "amount must be positive");
        }
        long version = commands.sendAndWait(deposit ? new DepositMoney(id, amount) : new WithdrawMoney(id, amount));
        exchange.getResponseHeaders().add("ETag", "\"" + version + "\"");
        send(exchange, 200, "application/json", "{\"accountId\":\"" + id + "\",\"version\":" + version + "}");
    }

    private void get(HttpExchange exchange, String id) throws IOException, InterruptedException, java.sql.SQLException {
        long minVersion = 0;
        String query = exchange.getRequestURI().getQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("minVersion=")) {
                    try {
                        minVersion = Long.parseLong(pair.substring("minVersion=".length()));
                    } catch (NumberFormatException e) {
                        throw new Problem(400, "Bad Request", "minVersion must be a positive integer");
                    }
                }
            }
        }
        Optional<AccountView.Row> found = view.find(id, minVersion, MIN_VERSION_WAIT);
        if (found.isEmpty()) {
            throw new Problem(404, "Not Found", "no account with id " + id
                    + (minVersion > 0 ? " became visible within " + MIN_VERSION_WAIT.toMillis() + " ms" : ""));
        }
        AccountView.Row row = found.get();
        if (row.version() < minVersion) {
            throw new Problem(503, "Version not visible yet", "account " + id + " is at version " + row.version()
                    + " in the view, not yet at " + minVersion + " after waiting " + MIN_VERSION_WAIT.toMillis() + " ms");
        }
        int digits = Currency.getInstance(row.currency()).getDefaultFractionDigits();
        ObjectNode json = JSON.createObjectNode()
                .put("accountId", row.accountId())
                .putNull("accountNumber")
                .put("owner", row.owner())
                .put("currency", row.currency())
                .put("balance", row.balance().setScale(digits).toPlainString())
                .put("status", "OPEN")
                .put("version", row.version())
                .put("updatedAt", row.updatedAt().toString());
        exchange.getResponseHeaders().add("ETag", "\"" + row.version() + "\"");
        send(exchange, 200, "application/json", JSON.writeValueAsString(json));
    }

    /** Maps what the command bus threw: Axon rethrows the handler's runtime exception as it is. */
    private static void answerFailure(HttpExchange exchange, Exception failure) throws IOException {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AccountRejected rejected) {
                problem(exchange, 422, "Unprocessable Content", rejected.code() + ": " + rejected.getMessage());
                return;
            }
            if (cause instanceof AggregateNotFoundException) {
                problem(exchange, 404, "Not Found", "no such account");
                return;
            }
            if (cause instanceof ConcurrencyException) {
                problem(exchange, 409, "Conflict", cause.getMessage());
                return;
            }
        }
        System.err.println("axon peer: request failed: " + failure);
        failure.printStackTrace(System.err);
        problem(exchange, 500, "Internal Server Error", failure.getClass().getSimpleName());
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new Problem(413, "Content Too Large", "the body is larger than 16 KB");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new Problem(400, "Bad Request", "the body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new Problem(400, "Bad Request", "malformed JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            throw new Problem(400, "Bad Request", field + " is required and must be a string");
        }
        return node.asText();
    }

    /** A JSON string or number, parsed exactly (never through a double). */
    private static BigDecimal amount(JsonNode body, String field) {
        JsonNode node = body.get(field);
        try {
            if (node != null && node.isTextual()) {
                return new BigDecimal(node.asText().trim());
            }
            if (node != null && node.isNumber()) {
                return node.decimalValue();
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Problem(400, "Bad Request", field + " is required and must be a decimal number or string");
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new Problem(405, "Method Not Allowed", method + " is not allowed here, only " + allowed);
        }
    }

    private static void problem(HttpExchange exchange, int status, String title, String detail) throws IOException {
        ObjectNode json = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail);
        send(exchange, status, "application/problem+json", JSON.writeValueAsString(json));
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required (options: --port P --jdbc-url URL "
                    + "[--user postgres] [--pool 64] [--http-threads 64] [--processor tracking|pooled])");
        }
        return value;
    }

    /** An answer other than success, with its status. */
    private static final class Problem extends RuntimeException {
        final int status;
        final String title;

        Problem(int status, String title, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.title = title;
        }
    }
}
