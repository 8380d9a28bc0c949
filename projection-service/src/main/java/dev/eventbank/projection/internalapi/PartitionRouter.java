package dev.eventbank.projection.internalapi;

import dev.eventbank.support.logging.CorrelationIdFilter;
import dev.eventbank.projection.ProjectionProblem;
import dev.eventbank.schemas.catalog.Stores;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Interactive-query routing: a key's stores live only on the instance whose task owns the key's partition, so a
 * request for a key owned elsewhere is forwarded there ({@link KafkaStreams#queryMetadataForKey}) and its answer
 * relayed. Without {@code eventbank.streams.application-server} (the default) the instance assumes it is the only
 * one and owns every partition, so nothing is forwarded.
 *
 * The forward carries the request's {@code X-Correlation-Id} ({@link CorrelationIdFilter}) and its
 * {@code Authorization} (the query service's internal credentials, which every instance checks).
 *
 * <p>Limits: one hop only (a forwarded request is always answered locally, so a rebalance in flight gives a 404
 * or 503 rather than a loop); no retries; standbys are not queried; the forward blocks a blocking-pool thread.
 */
public final class PartitionRouter {

    static final String FORWARDED_HEADER = "X-Eventbank-Forwarded";

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRouter.class);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param streams the active generation's Kafka Streams app (it changes at a rebuild's switch)
     * @param self this instance's {@code application.server}, or null when it runs alone */
    public PartitionRouter(Supplier<KafkaStreams> streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    /** The owner's answer when {@code accountId} belongs to another instance; empty when this one answers. */
    Optional<HttpResponse<?>> forwardIfRemote(String accountId, HttpRequest<?> request) {
        return forwardIfRemote(Stores.ACCOUNT_STATE, accountId, request);
    }

    Optional<HttpResponse<?>> forwardIfRemote(String store, String key, HttpRequest<?> request) {
        if (self == null || request.getHeaders().contains(FORWARDED_HEADER)) {
            return Optional.empty();
        }
        KeyQueryMetadata owner = streams.get().queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw ProjectionProblem.unavailable("no instance owns the partition of " + key + " right now (rebalancing); retry in a moment");
        }
        if (owner.activeHost().equals(self)) {
            return Optional.empty();
        }
        URI target = URI.create("http://" + owner.activeHost().host() + ":" + owner.activeHost().port() + request.getUri());
        try {
            java.net.http.HttpRequest.Builder forward = java.net.http.HttpRequest.newBuilder(target)
                    .timeout(FORWARD_TIMEOUT).header(FORWARDED_HEADER, self.host() + ":" + self.port()).GET();
            // the owner's log lines for this read carry the same correlation id as ours
            CorrelationIdFilter.of(request).ifPresent(id -> forward.header(CorrelationIdFilter.HEADER, id));
            // the owner checks the caller's credentials itself: instances do not trust each other blindly
            request.getHeaders().getAuthorization().ifPresent(value -> forward.header("Authorization", value));
            java.net.http.HttpResponse<byte[]> answer = http.send(forward.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            String contentType = answer.headers().firstValue("Content-Type").orElse("application/json");
            return Optional.of(HttpResponse.status(HttpStatus.valueOf(answer.statusCode()))
                    .contentType(contentType).body(answer.body()));
        } catch (IOException e) {
            LOG.warn("forward failed key={} target={} error=\"{}\"", key, target, e.toString());
            throw ProjectionProblem.unavailable("the instance owning " + key + " (" + owner.activeHost() + ") did not answer; retry in a moment");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProjectionProblem.unavailable("interrupted while forwarding to " + owner.activeHost());
        }
    }
}
