package dev.eventbank.localstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventbank.localkafka.LocalKafkaBroker;
import dev.eventbank.schemas.events.BankAccountEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two command-service instances share the command processor's partitions; one is killed with SIGKILL under
 * load. Every command acknowledged with a 2xx and a version must be in the log exactly once, every account's
 * versions must run 1..n without gap or duplicate, and no command may have been applied twice.
 */
class CommandServiceFailoverIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private static final int ACCOUNTS = 24;
    private static final int CLIENTS = 8;

    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.start(TestStacks.home(), TestStacks.dataDir("CommandServiceFailoverIT"), StackPorts.free(), 6, System.out);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedCommandExactlyOnceWhenAnInstanceIsKilled() throws Exception {
        // given: two instances in one group, and accounts spread over all partitions
        ServiceProcess second = stack.startAnotherInstance("command-service", LocalKafkaBroker.freePort());
        List<String> instances = List.of(stack.commandUrl(), second.url());
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(open(stack.commandUrl()));
        }
        // both instances answer for every account before the load starts (the group has settled)
        CommandClient settled = new CommandClient();
        for (String account : accounts) {
            for (String instance : instances) {
                assertEquals(200, settled.post(instance + "/accounts/" + account + "/deposits", "{\"amount\":\"1.00\"}").status());
            }
        }
        Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger unanswered = new AtomicInteger();
        List<String> acknowledgedTwice = java.util.Collections.synchronizedList(new ArrayList<>());

        // when: load on both instances, the second killed after 5 s, load on for 7 s more
        long end = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Thread client = new Thread(() -> {
                while (System.nanoTime() < end) {
                    String account = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
                    String instance = instances.get(ThreadLocalRandom.current().nextInt(instances.size()));
                    try {
                        HttpResponse<String> response = deposit(instance, account);
                        if (response.statusCode() == 200) {
                            long version = JSON.readTree(response.body()).path("version").asLong();
                            if (!acknowledged.computeIfAbsent(account, a -> ConcurrentHashMap.newKeySet()).add(version)) {
                                acknowledgedTwice.add(account + " v" + version);
                            }
                        } else {
                            unanswered.incrementAndGet();
                        }
                    } catch (IOException e) {
                        unanswered.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
            client.start();
            clients.add(client);
        }
        Thread.sleep(5000);
        second.kill();
        for (Thread client : clients) {
            client.join(120_000);
        }

        // then: once the survivor owns every partition, the log holds each acknowledged version exactly once
        assertEquals(List.of(), acknowledgedTwice, "one version acknowledged to two commands");
        CommandClient survivor = new CommandClient();
        for (String account : accounts) {
            CommandClient.Answer answer = survivor.post(stack.commandUrl() + "/accounts/" + account + "/deposits", "{\"amount\":\"1.00\"}");
            assertEquals(200, answer.status(), "survivor answers for " + account + ": " + answer.body());
        }
        Map<String, List<BankAccountEvent>> log = EventLog.eventsByAccount(stack, Set.copyOf(accounts));
        Set<String> commandIds = new HashSet<>();
        long totalAcknowledged = 0;
        for (String account : accounts) {
            List<BankAccountEvent> events = log.getOrDefault(account, List.of());
            List<Long> versions = events.stream().map(BankAccountEvent::getVersion).toList();
            assertEquals(LongStream.rangeClosed(1, events.size()).boxed().toList(), versions, "versions of " + account);
            for (BankAccountEvent event : events) {
                assertTrue(commandIds.add(event.getCommandId()), "command applied twice: " + event);
            }
            Set<Long> acked = acknowledged.getOrDefault(account, Set.of());
            totalAcknowledged += acked.size();
            for (long version : acked) {
                assertTrue(version <= events.size(), "acknowledged version " + version + " of " + account + " not in the log");
            }
        }
        System.out.printf("failover: %d commands acknowledged, %d unanswered or refused (instance killed), log verified%n",
                totalAcknowledged, unanswered.get());
        assertTrue(totalAcknowledged >= 20, "too little load to prove anything: " + totalAcknowledged);
    }

    private static String open(String url) throws Exception {
        HttpResponse<String> response = post(url + "/accounts",
                "{\"owner\":\"Failover Test\",\"currency\":\"EUR\",\"initialDeposit\":\"0.00\"}");
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("accountId").asText();
    }

    private static HttpResponse<String> deposit(String url, String account) throws IOException, InterruptedException {
        return post(url + "/accounts/" + account + "/deposits", "{\"amount\":\"1.00\"}");
    }

    private static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
