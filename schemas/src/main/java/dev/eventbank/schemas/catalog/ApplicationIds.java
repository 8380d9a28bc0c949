package dev.eventbank.schemas.catalog;

/**
 * Kafka Streams application ids (also consumer group ids and transactional id prefixes). Changing one
 * starts that processor from scratch, so they are part of the deployment contract.
 */
public final class ApplicationIds {

    /** The command writers: consumer group that assigns partitions to instances, and prefix of the per-partition
     * transactional ids ({@code bank-account-command-writers-7}) that fence a former owner. */
    public static final String COMMAND_WRITERS = "bank-account-command-writers";
    public static final String PROJECTION = "bank-account-projection";
    public static final String QUERY_VIEW = "bank-account-query-view";

    private ApplicationIds() {
    }
}
