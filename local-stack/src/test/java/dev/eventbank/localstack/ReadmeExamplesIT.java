package dev.eventbank.localstack;

import dev.eventbank.localstack.ReadmeExamples.Example;
import dev.eventbank.localstack.ReadmeExamples.Expected;
import dev.eventbank.localstack.ReadmeExamples.Request;
import dev.eventbank.localstack.ReadmeExamples.Step;
import dev.eventbank.schemas.catalog.TopicSpec;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.testbroker.DecidedOffsets;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, item 13: every request and response the README shows is what the system does. Runs the README's
 * examples ({@link ReadmeExamples}: the marked curl blocks, in document order, as a user following the README
 * would) against a fresh local stack (real broker, registry and the three services as their own JVMs) and fails
 * with the first difference of each example that drifted.
 *
 * <p>Why the README is the test's input, and not its output (a golden file the test would write): the README's
 * examples are curl commands people copy, so the test runs exactly the text they copy, and the responses are
 * written for people, abridged to the headers that matter, with {@code …} where ids and times differ on every
 * run and {@code $ID} where a later command uses a value. A generated README would have to encode that editing
 * in the test, put generated text in the middle of prose, and need a regeneration step; here a README edit is
 * checked as it is written, and the fix for a failure is to edit the README (each step's actual response is
 * printed in the README's format, in {@code local-stack/target/failsafe-reports/*ReadmeExamplesIT-output.txt}).
 *
 * <p>Beyond the text: a read ({@code GET}) is repeated until it matches, for up to {@value #READ_SETTLE_SECONDS} s,
 * because reads are eventually consistent (the README says so) and a person reads later than a test; a command
 * runs once. A command the README shows answered with a 4xx must append nothing to {@code bank-account-events},
 * and one answered 400 must write nothing to Kafka at all (the README claims both).
 *
 * <p>Limits: the stack runs on free ports, so {@code localhost:8080} and the other documented ports are mapped to
 * them; the Kafka examples (kcat, the Node consumer) are not run here ({@code ExternalConsumerIT} runs the Node
 * consumer).
 */
class ReadmeExamplesIT {

    private static final long READ_SETTLE_SECONDS = 15;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    /** A loaded 2-core CI machine can take seconds for a first command; the README shows outcomes, not timing. */
    private static final Map<String, String> SLOW_MACHINE = Map.of("eventbank.commands.reply-timeout", "30s");

    private static LocalStack stack;
    private static Admin admin;

    @BeforeAll
    static void startStack() throws IOException {
        stack = LocalStack.start(TestStacks.home(), TestStacks.dataDir("ReadmeExamplesIT"), StackPorts.free(), 3,
                SLOW_MACHINE, System.out);
        admin = Admin.create(stack.kafkaClientProperties(dev.eventbank.localkafka.KafkaCredentials.ADMIN));
    }

    @AfterAll
    static void stopStack() {
        if (admin != null) {
            admin.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldAnswerEveryReadmeExampleAsTheReadmeShowsWhenRunInTheReadmesOrder() throws Exception {
        // given
        List<Example> examples = ReadmeExamples.parse(Files.readString(TestStacks.home().resolve("README.md")));
        assertFalse(examples.isEmpty(), "README.md has no <!-- example: ... --> blocks");
        Map<String, String> variables = new HashMap<>();
        List<String> drift = new ArrayList<>();

        // when
        for (Example example : examples) {
            for (Step step : example.steps()) {
                run(step, variables).ifPresent(drift::add);
            }
        }

        // then
        assertTrue(drift.isEmpty(), drift.size() + " README example(s) differ from what the system does (fix the "
                + "README or the system; each step's actual response is printed above):\n\n" + String.join("\n\n", drift));
    }

    /** Runs one step; on a difference, what differs. Binds the variables the step's response introduces. */
    private static Optional<String> run(Step step, Map<String, String> variables) throws Exception {
        if (step.assignment().isPresent()) {
            return assign(step, variables);
        }
        Request request;
        try {
            request = step.request(variables);
        } catch (IllegalArgumentException e) {
            return Optional.of(step.where() + ": " + e.getMessage());
        }
        URI uri = onStack(request.url());
        boolean refusedCommand = request.method().equals("POST") && step.expected().status() != null
                && step.expected().status() / 100 == 4;
        Map<TopicPartition, Long> before = refusedCommand ? decidedEndOffsets() : Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_SETTLE_SECONDS);
        while (true) {
            HttpResponse<String> response = send(request, uri);
            Map<String, String> bound = new HashMap<>();
            Optional<String> difference = compare(step.expected(), response, variables, bound);
            boolean settling = request.method().equals("GET") && System.nanoTime() < deadline;
            if (difference.isPresent() && settling) {
                Thread.sleep(200);
                continue;
            }
            System.out.printf("%s%n%s%n%s%n%n", step.where(), step.command(), transcript(step.expected(), response));
            if (difference.isPresent()) {
                return Optional.of(step.where() + ": " + step.command() + "\n  " + difference.get()
                        + "\n  README shows:\n" + indent(step.expected().text())
                        + "\n  system says:\n" + indent(transcript(step.expected(), response)));
            }
            variables.putAll(bound);
            return refusedCommand ? wroteNothing(step, response.statusCode(), before) : Optional.empty();
        }
    }

    /**
     * Runs the README's {@code bin/dev-token} command as a user would, from the repository root, with this stack's
     * data directory as {@code LOCAL_STACK_DATA} (the README's user has the default one), and binds the variable to
     * the token it prints.
     */
    private static Optional<String> assign(Step step, Map<String, String> variables) throws Exception {
        Map.Entry<String, List<String>> assignment = step.assignment().orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(assignment.getValue()).directory(TestStacks.home().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("LOCAL_STACK_DATA", stack.dataDir().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || output.isEmpty() || output.contains("\n")) {
            process.destroyForcibly();
            return Optional.of(step.where() + ": " + step.command() + " did not print one token: '" + output + "'");
        }
        System.out.printf("%s%n%s%n# (a token of %d characters)%n%n", step.where(), step.command(), output.length());
        variables.put(assignment.getKey(), output);
        return Optional.empty();
    }

    /** Status, the README's headers and body, each against its pattern, binding new variables in {@code bound}. */
    private static Optional<String> compare(Expected expected, HttpResponse<String> response,
                                            Map<String, String> variables, Map<String, String> bound) {
        if (expected.status() != null && expected.status() != response.statusCode()) {
            return Optional.of("status " + response.statusCode() + ", the README shows " + expected.status());
        }
        Map<String, String> known = new HashMap<>(variables);
        for (Map.Entry<String, String> header : expected.headers()) {
            Optional<String> actual = response.headers().firstValue(header.getKey());
            if (actual.isEmpty()) {
                return Optional.of("no " + header.getKey() + " header");
            }
            Optional<String> difference = ReadmeExamples.match(header.getValue(), actual.get(), known, bound);
            if (difference.isPresent()) {
                return Optional.of("header " + header.getKey() + ": " + difference.get());
            }
            known.putAll(bound);
        }
        return ReadmeExamples.match(expected.body(), response.body().strip(), known, bound)
                .map(difference -> "body: " + difference);
    }

    /**
     * After a refused command: nothing appended to the event log, and after a 400 nothing written at all, except
     * {@code bank-account-aggregates}: the writer flushes earlier commands' aggregates there on its own clock (up to
     * {@code eventbank.commands.aggregates-interval} after them, alone when idle), whichever request is in flight.
     */
    private static Optional<String> wroteNothing(Step step, int status, Map<TopicPartition, Long> before)
            throws Exception {
        Map<TopicPartition, Long> after = endOffsets();
        List<String> moved = before.keySet().stream()
                .filter(partition -> !partition.topic().equals(Topics.AGGREGATES.name()))
                .filter(partition -> !before.get(partition).equals(after.get(partition)))
                .filter(partition -> status == 400 || partition.topic().equals(Topics.EVENTS.name()))
                .map(partition -> partition + " " + before.get(partition) + " -> " + after.get(partition))
                .toList();
        return moved.isEmpty() ? Optional.empty() : Optional.of(step.where() + ": " + step.command()
                + "\n  answered " + status + " as the README shows, but wrote to Kafka: " + moved);
    }

    /**
     * The end offsets of the command side's topics once every transaction written before the call is decided
     * ({@link DecidedOffsets}): the commit markers of the previous command's transaction may still be on their way
     * when its answer arrives.
     */
    private static Map<TopicPartition, Long> decidedEndOffsets() throws Exception {
        return DecidedOffsets.of(admin, commandSidePartitions(), Duration.ofSeconds(10));
    }

    /** The high watermarks of the command side's topics: every record and marker written so far. */
    private static Map<TopicPartition, Long> endOffsets() throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        commandSidePartitions().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
    }

    private static List<TopicPartition> commandSidePartitions() throws ExecutionException, InterruptedException {
        return admin.describeTopics(Topics.COMMAND_SIDE.stream().map(TopicSpec::name).toList()).allTopicNames().get()
                .values().stream().flatMap(description -> description.partitions().stream()
                        .map(partition -> new TopicPartition(description.name(), partition.partition())))
                .toList();
    }

    private static HttpResponse<String> send(Request request, URI uri) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(40))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
        // what curl sends unless told otherwise
        builder.header("Accept", "*/*");
        request.headers().forEach(builder::setHeader);
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The README's URL on this stack's free ports: the README's ports are the documented defaults. */
    private static URI onStack(String url) {
        URI readme = URI.create(url);
        String base = switch (readme.getPort()) {
            case 8080 -> stack.commandUrl();
            case 8081 -> stack.registryUrl();
            case 8082 -> stack.queryUrl();
            case 8084 -> stack.projectionUrl();
            default -> throw new IllegalArgumentException("the README's " + url + " is on no documented port");
        };
        return URI.create(base + readme.getRawPath() + (readme.getRawQuery() == null ? "" : "?" + readme.getRawQuery()));
    }

    /** The actual response in the README's format, with the headers the README shows (all with none shown). */
    private static String transcript(Expected expected, HttpResponse<String> response) {
        StringBuilder text = new StringBuilder();
        if (expected.status() != null) {
            text.append("# ").append(response.statusCode()).append(' ').append(ReadmeExamples.reason(response.statusCode()));
            List<String> names = expected.headers().isEmpty()
                    ? response.headers().map().keySet().stream().toList()
                    : expected.headers().stream().map(Map.Entry::getKey).toList();
            for (String name : names) {
                response.headers().firstValue(name).ifPresent(value -> text.append(", ").append(name).append(": ").append(value));
            }
            text.append('\n');
        }
        return text.append("# ").append(response.body().strip()).toString();
    }

    private static String indent(String text) {
        return text.lines().map(line -> "    " + line).collect(Collectors.joining("\n"));
    }
}
