package dev.eventbank.command;

import dev.eventbank.command.ownership.PartitionOwnership;
import io.micronaut.context.annotation.Value;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;

/**
 * Joins the writers' group once the HTTP server listens, advertising this instance's URL:
 * {@code eventbank.commands.advertised-url} when set (needed when other instances reach this one at another
 * address than the server's own, e.g. behind NAT or in containers), else the server's URL.
 */
@Singleton
final class OwnershipStarter {

    private final PartitionOwnership ownership;
    private final String advertisedUrl;

    OwnershipStarter(PartitionOwnership ownership, @Value("${eventbank.commands.advertised-url:}") String advertisedUrl) {
        this.ownership = ownership;
        this.advertisedUrl = advertisedUrl;
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        String url = advertisedUrl.isBlank() ? event.getSource().getURL().toString() : advertisedUrl;
        ownership.start(url.replaceAll("/+$", ""));
    }
}
