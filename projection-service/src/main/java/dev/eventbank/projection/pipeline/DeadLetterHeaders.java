package dev.eventbank.projection.pipeline;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The headers a dead-lettered record carries on {@code bank-account-events-dlq}: why it failed and where it
 * came from, so that an operator can fix the cause and replay it. Values are UTF-8 strings.
 */
public final class DeadLetterHeaders {

    public static final String REASON = "dlq.reason";
    public static final String EXCEPTION = "dlq.exception";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String PROJECTION = "dlq.projection";

    private DeadLetterHeaders() {
    }

    /** The source record's headers plus ours (ours replace same-named ones from an earlier dead-lettering). */
    static Headers of(Headers source, Throwable error, String topic, int partition, long offset, String projection) {
        Headers headers = new RecordHeaders(source.toArray());
        put(headers, REASON, String.valueOf(error.getMessage()));
        put(headers, EXCEPTION, error.getClass().getName());
        put(headers, SOURCE_TOPIC, topic);
        put(headers, SOURCE_PARTITION, String.valueOf(partition));
        put(headers, SOURCE_OFFSET, String.valueOf(offset));
        put(headers, PROJECTION, projection);
        return headers;
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
