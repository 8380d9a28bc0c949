package dev.eventbank.bench;

import dev.eventbank.devissuer.DevIssuer;
import dev.eventbank.localstack.LocalStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The {@code Authorization} values the benchmarks send: tokens of the stack's own issuer, valid for twelve hours (a
 * full run takes about one). The Axon peer checks no token; its requests carry one anyway (from a throwaway issuer)
 * so that both systems receive requests of the same size.
 */
final class BenchTokens {

    private static final Duration VALIDITY = Duration.ofHours(12);

    private BenchTokens() {
    }

    /** {@code Bearer <token>} of a teller (every command, every read) of {@code stack}. */
    static String teller(LocalStack stack) {
        return "Bearer " + stack.issuer().token("teller", "bench-teller", VALIDITY);
    }

    /** {@code Bearer <token>} of an operator (rebuilds) of {@code stack}, without the {@code Bearer }: for scripts. */
    static String operatorToken(LocalStack stack) {
        return stack.issuer().token("operator", "bench-operator", VALIDITY);
    }

    /** A teller's {@code Bearer <token>} for the peer, which ignores it. */
    static String forPeer() {
        try {
            return "Bearer " + DevIssuer.inDirectory(Files.createTempDirectory("bench-peer-issuer-"))
                    .token("teller", "bench-teller", VALIDITY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
