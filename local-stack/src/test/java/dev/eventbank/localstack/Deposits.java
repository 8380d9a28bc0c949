package dev.eventbank.localstack;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Deposits of 1.00 as the write-side tests send them, and the record of what each one got back. Every deposit
 * carries a unique {@code reference}, which its {@code MoneyDeposited} event carries too, so {@link LogAudit} can
 * find in the log what each request caused, and hold every answer against the log: a 2xx must name the version at
 * which the request's own event sits. Closed-loop clients ({@link #startClients}) keep depositing into random
 * accounts through the instances a supplier picks, one request at a time each, until {@link #stopClients}.
 *
 * <p>Everything is bounded: each request by the client's timeout, each client by {@code maxDuration}, waiting for
 * background requests and stopping clients by deadlines. A request without an answer in time (timeout, refused
 * connection, an instance killed) is recorded as unanswered, whatever became of it: the log may or may not hold it,
 * at most once.
 *
 * <p>Limits: deposits only, so no rejections; the HTTP API alone, nothing of how an implementation routes.
 */
final class Deposits implements AutoCloseable {

    /** What the client recorded for one request: a status, or none ({@link #NO_ANSWER}) with why. */
    record Sent(String reference, String account, String instance, int status, long version, String etag,
                long sentNanos, long answeredNanos, String failure) {

        boolean acknowledged() {
            return status / 100 == 2;
        }

        boolean answered() {
            return status != NO_ANSWER;
        }

        /** A 4xx: a definitive "not done", so the request must have appended nothing. */
        boolean refused() {
            return status / 100 == 4;
        }

        @Override
        public String toString() {
            return reference + " to " + instance + " for " + account + ": "
                    + (answered() ? status + (acknowledged() ? " v" + version : "") : "no answer (" + failure + ")");
        }
    }

    static final int NO_ANSWER = -1;
    private static final String BODY = "{\"amount\":\"1.00\",\"reference\":\"%s\"}";

    private final String run;
    /** Keys open accounts, so a retried open is the same account; unique per JVM, as account ids derive from it. */
    private final String runId = java.util.UUID.randomUUID().toString();
    private final CommandClient client;
    private final Duration maxDuration;
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();
    private final ExecutorService background = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "deposit-background");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    /**
     * @param run          names this run in every reference, so two runs never share one
     * @param timeout      how long a request waits for its answer
     * @param maxDuration  the longest any client keeps sending, should a test never call {@link #stopClients}
     */
    Deposits(String run, Duration timeout, Duration maxDuration) {
        this.run = run;
        this.client = new CommandClient(timeout);
        this.maxDuration = maxDuration;
    }

    /**
     * Opens {@code count} accounts with nothing in them through {@code instance}, each with its own
     * {@code Idempotency-Key}, sent again while the answer is 503 (outcome unknown, as while partitions move): the
     * key makes the retry open the same account once. Fails if one is not opened within 60 s.
     */
    List<String> openAccounts(String instance, int count) throws IOException, InterruptedException {
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            CommandClient.Answer opened;
            do {
                opened = client.post(instance + "/accounts",
                        "{\"owner\":\"" + run + " " + i + "\",\"currency\":\"EUR\",\"initialDeposit\":\"0.00\"}",
                        Map.of("Idempotency-Key", "open-" + run + "-" + i + "-" + runId));
            } while (opened.status() == 503 && System.nanoTime() < deadline);
            if (opened.status() != 201) {
                throw new AssertionError("opening account " + i + " answered " + opened.status() + ": " + opened.body());
            }
            accounts.add(opened.body().path("accountId").asText());
        }
        return accounts;
    }

    /** Deposits 1.00 into {@code account} through {@code instance} (a base URL) and records the outcome. */
    Sent send(String instance, String account) {
        String reference = run + "-" + sequence.incrementAndGet();
        long sentNanos = System.nanoTime();
        Sent outcome;
        try {
            CommandClient.Answer answer = client.post(instance + "/accounts/" + account + "/deposits",
                    BODY.formatted(reference));
            outcome = new Sent(reference, account, instance, answer.status(), answer.version(),
                    answer.etag().orElse(null), sentNanos, System.nanoTime(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new Sent(reference, account, instance, NO_ANSWER, -1, null, sentNanos, System.nanoTime(),
                    "interrupted");
        } catch (Exception | AssertionError e) {
            outcome = new Sent(reference, account, instance, NO_ANSWER, -1, null, sentNanos, System.nanoTime(),
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        sent.add(outcome);
        return outcome;
    }

    /** One deposit into each of {@code accounts} through {@code instance}, all sent at once, not waited for. */
    List<CompletableFuture<Sent>> sendInBackground(String instance, Collection<String> accounts) {
        return accounts.stream()
                .map(account -> CompletableFuture.supplyAsync(() -> send(instance, account), background))
                .toList();
    }

    /** Waits for {@code futures} until {@code timeout}; fails naming how many are still out. */
    static void await(List<CompletableFuture<Sent>> futures, Duration timeout) throws InterruptedException {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            long out = futures.stream().filter(future -> !future.isDone()).count();
            throw new AssertionError(out + " requests still without an outcome after " + timeout.toSeconds() + " s", e);
        }
    }

    /**
     * Starts {@code count} closed-loop clients: each deposits into a random one of {@code accounts} through the
     * instance {@code target} returns (asked anew for every request; {@code null} means none now, so it waits a little).
     */
    synchronized void startClients(int count, List<String> accounts, Supplier<String> target) {
        long end = System.nanoTime() + maxDuration.toNanos();
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(() -> {
                while (!stopping && System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                    String instance = target.get();
                    if (instance == null) {
                        pause(50);
                        continue;
                    }
                    send(instance, accounts.get(ThreadLocalRandom.current().nextInt(accounts.size())));
                }
            }, "deposit-client-" + clients.size());
            thread.setDaemon(true);
            thread.start();
            clients.add(thread);
        }
    }

    /** Stops every client after its request in flight; fails if one has not ended within {@code timeout}. */
    synchronized void stopClients(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : clients) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        List<String> running = clients.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        clients.clear();
        stopping = false;
        if (!running.isEmpty()) {
            throw new AssertionError("clients still running after " + timeout.toSeconds() + " s: " + running);
        }
    }

    /**
     * Deposits into every account through every instance until each (instance, account) pair has been
     * acknowledged once: proof that the instances agree on who owns what again and each answers for every account.
     * Fails after {@code timeout}, naming the pairs still refused.
     */
    void awaitAcknowledgedEverywhere(Collection<String> instances, Collection<String> accounts, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = new ArrayList<>();
        for (String instance : instances) {
            for (String account : accounts) {
                pending.add(instance + " " + account);
            }
        }
        Map<String, Sent> last = new TreeMap<>();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            List<String> still = new ArrayList<>();
            for (String pair : pending) {
                String[] parts = pair.split(" ");
                Sent outcome = send(parts[0], parts[1]);
                if (!outcome.acknowledged()) {
                    still.add(pair);
                    last.put(pair, outcome);
                }
            }
            pending = still;
            if (!pending.isEmpty()) {
                pause(250);
            }
        }
        if (!pending.isEmpty()) {
            throw new AssertionError(pending.size() + " (instance, account) pairs still not acknowledged after "
                    + timeout.toSeconds() + " s, e.g. " + last.get(pending.get(0)));
        }
    }

    /**
     * Waits, without sending anything itself, until the running clients have had a deposit into every one of
     * {@code accounts} acknowledged by {@code instance}, each sent after {@code sinceNanos} ({@link System#nanoTime}):
     * proof that the instance answers for every account again, whoever owned it before. Fails after {@code timeout}
     * naming the accounts still waiting.
     */
    void awaitAcknowledgedByInstance(String instance, Collection<String> accounts, long sinceNanos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            java.util.Set<String> acknowledged = sent.stream()
                    .filter(outcome -> outcome.acknowledged() && outcome.instance().equals(instance)
                            && outcome.sentNanos() - sinceNanos > 0)
                    .map(Sent::account).collect(Collectors.toSet());
            List<String> waiting = accounts.stream().filter(account -> !acknowledged.contains(account)).toList();
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(instance + " acknowledged no deposit into " + waiting.size() + " of "
                        + accounts.size() + " accounts in " + timeout.toSeconds() + " s, e.g. " + waiting.get(0)
                        + "; outcomes so far " + countByOutcome());
            }
            pause(100);
        }
    }

    /** Every request sent so far with its outcome. */
    List<Sent> all() {
        return List.copyOf(sent);
    }

    /** Requests by outcome: the HTTP status, or "no answer". */
    Map<String, Long> countByOutcome() {
        return sent.stream().collect(Collectors.groupingBy(
                outcome -> outcome.answered() ? String.valueOf(outcome.status()) : "no answer",
                TreeMap::new, Collectors.counting()));
    }

    @Override
    public void close() {
        stopping = true;
        clients.forEach(Thread::interrupt);
        background.shutdownNow();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
