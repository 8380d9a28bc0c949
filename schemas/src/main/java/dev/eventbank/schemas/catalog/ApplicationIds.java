package dev.eventbank.schemas.catalog;

/**
 * Kafka Streams application ids (also consumer group ids and transactional id prefixes). Changing one
 * starts that processor from scratch, so they are part of the deployment contract.
 */
public final class ApplicationIds {

    public static final String COMMAND_PROCESSOR = "bank-account-command-processor";
    public static final String PROJECTION = "bank-account-projection";
    public static final String QUERY_VIEW = "bank-account-query-view";

    private ApplicationIds() {
    }
}
