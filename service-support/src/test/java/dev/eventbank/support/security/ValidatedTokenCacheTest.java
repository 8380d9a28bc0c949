package dev.eventbank.support.security;

import dev.eventbank.devissuer.DevIssuer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.jwt.validator.ReactiveJsonWebTokenValidator;
import io.micronaut.security.token.validator.TokenValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The accepted-token cache in front of micronaut-security-jwt's real validator (RS256 tokens of the dev issuer,
 * its key set as the trusted keys): what it answers, and when it asks the validator again.
 */
class ValidatedTokenCacheTest {

    @TempDir
    Path dir;

    @Test
    void theServicesValidatorIsWrappedAndASecondRequestWithTheSameTokenIsAnsweredFromTheCache() {
        DevIssuer issuer = DevIssuer.inDirectory(dir.resolve("issuer"));
        try (ApplicationContext context = ApplicationContext.run(properties(issuer, "60s"))) {
            List<TokenValidator> validators = new ArrayList<>(context.getBeansOfType(TokenValidator.class));
            ValidatedTokenCache.Caching caching = (ValidatedTokenCache.Caching) validators.stream()
                    .filter(v -> v instanceof ValidatedTokenCache.Caching).findFirst()
                    .orElseThrow(() -> new AssertionError("no caching validator among " + validators));
            String token = issuer.token("teller", "t-1");

            assertEquals(Optional.of("t-1"), validate(caching, token).map(Authentication::getName));
            assertEquals(Optional.of("t-1"), validate(caching, token).map(Authentication::getName));

            assertEquals(1, caching.accepted.stats().hitCount());
            assertEquals(1, caching.accepted.estimatedSize());
        }
    }

    @Test
    void aRefusedTokenIsNeverKeptAndIsValidatedEveryTime() {
        DevIssuer trusted = DevIssuer.inDirectory(dir.resolve("trusted"));
        DevIssuer stranger = DevIssuer.inDirectory(dir.resolve("stranger"));
        try (ApplicationContext context = ApplicationContext.run(properties(trusted, "0s"))) {
            Counting real = new Counting(realValidator(context));
            ValidatedTokenCache.Caching caching = new ValidatedTokenCache.Caching(real, Duration.ofSeconds(60), Clock.systemUTC());
            String foreign = stranger.token("teller", "t-1");

            assertEquals(Optional.empty(), validate(caching, foreign));
            assertEquals(Optional.empty(), validate(caching, foreign));

            assertEquals(2, real.calls.get());
            assertEquals(0, caching.accepted.estimatedSize());
        }
    }

    @Test
    void anAcceptedTokenIsValidatedAgainAtItsExpiryAndAfterMaxAgeWhicheverComesFirst() {
        DevIssuer issuer = DevIssuer.inDirectory(dir.resolve("issuer"));
        try (ApplicationContext context = ApplicationContext.run(properties(issuer, "0s"))) {
            Counting real = new Counting(realValidator(context));
            MovableClock clock = new MovableClock(Instant.now());
            ValidatedTokenCache.Caching caching = new ValidatedTokenCache.Caching(real, Duration.ofSeconds(30), clock);
            String shortLived = issuer.token("teller", "short", Duration.ofSeconds(10));
            String longLived = issuer.token("teller", "long", Duration.ofHours(1));

            validate(caching, shortLived);
            validate(caching, longLived);
            clock.advance(Duration.ofSeconds(9));
            validate(caching, shortLived);
            validate(caching, longLived);
            assertEquals(2, real.calls.get(), "both still cached");

            // past the short token's exp (whole seconds, so at most 10 s after its issue), within max-age
            clock.advance(Duration.ofSeconds(2));
            validate(caching, shortLived);
            validate(caching, longLived);
            assertEquals(3, real.calls.get(), "the expired token went to the validator again, the other did not");

            // past max-age (30 s) for the long-lived token
            clock.advance(Duration.ofSeconds(20));
            validate(caching, longLived);
            assertEquals(4, real.calls.get());
        }
    }

    @Test
    void onlyATokensCanonicalTextIsKeptSoOneTokenCannotFillTheCacheUnderManyTexts() throws Exception {
        DevIssuer issuer = DevIssuer.inDirectory(dir.resolve("issuer"));
        try (ApplicationContext context = ApplicationContext.run(properties(issuer, "0s"))) {
            Counting real = new Counting(realValidator(context));
            ValidatedTokenCache.Caching caching = new ValidatedTokenCache.Caching(real, Duration.ofSeconds(60), Clock.systemUTC());
            String token = issuer.token("teller", "t-1");
            // the same signature bytes: Nimbus skips characters outside the base64 alphabet
            String variant = token + "!";

            Optional<Authentication> first = validate(caching, token);
            Optional<Authentication> again = validate(caching, variant);
            Optional<Authentication> andAgain = validate(caching, variant);

            assertEquals(Optional.of("t-1"), first.map(Authentication::getName));
            // accepted (the case this guards against: were it refused, it would never be kept anyway)
            assertEquals(Optional.of("t-1"), again.map(Authentication::getName));
            assertEquals(Optional.of("t-1"), andAgain.map(Authentication::getName));
            assertEquals(3, real.calls.get(), "the variant went to the validator each time");
            assertEquals(1, caching.accepted.estimatedSize());
            assertTrue(ValidatedTokenCache.canonical(token, com.nimbusds.jwt.SignedJWT.parse(token)));
            assertFalse(ValidatedTokenCache.canonical(variant, com.nimbusds.jwt.SignedJWT.parse(variant)));
        }
    }

    @Test
    void zeroMaxAgeLeavesTheValidatorAsItIs() {
        DevIssuer issuer = DevIssuer.inDirectory(dir.resolve("issuer"));
        try (ApplicationContext context = ApplicationContext.run(properties(issuer, "0s"))) {
            assertTrue(context.getBeansOfType(TokenValidator.class).stream()
                    .noneMatch(v -> v instanceof ValidatedTokenCache.Caching));
            assertEquals(Optional.of("t-1"), validate(realValidator(context), issuer.token("teller", "t-1")).map(Authentication::getName));
        }
    }

    private static Map<String, Object> properties(DevIssuer issuer, String maxAge) {
        Map<String, Object> properties = new HashMap<>(issuer.serviceProperties());
        properties.put("eventbank.security.validated-tokens.max-age", maxAge);
        properties.put("micronaut.security.authentication", "bearer");
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static ReactiveJsonWebTokenValidator<Object, Object> realValidator(ApplicationContext context) {
        return context.getBeansOfType(ReactiveJsonWebTokenValidator.class).stream()
                .filter(v -> !(v instanceof ValidatedTokenCache.Caching)).findFirst()
                .orElseThrow(() -> new AssertionError("no JWT validator"));
    }

    /** The first authentication {@code validator} publishes for {@code token}, waiting for it (the JWKS is a file). */
    @SuppressWarnings("unchecked")
    private static Optional<Authentication> validate(TokenValidator validator, String token) {
        List<Authentication> got = new ArrayList<>();
        List<Throwable> failed = new ArrayList<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        ((Publisher<Authentication>) validator.validateToken(token, null)).subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Authentication authentication) {
                got.add(authentication);
            }

            @Override
            public void onError(Throwable t) {
                failed.add(t);
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        });
        try {
            assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS), "validation did not complete");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(List.of(), failed);
        return got.stream().findFirst();
    }

    /** The real validator, counting the tokens it was asked to validate. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class Counting implements ReactiveJsonWebTokenValidator {
        final ReactiveJsonWebTokenValidator delegate;
        final AtomicInteger calls = new AtomicInteger();

        Counting(ReactiveJsonWebTokenValidator delegate) {
            this.delegate = delegate;
        }

        @Override
        public Publisher validateToken(String token, Object request) {
            calls.incrementAndGet();
            return delegate.validateToken(token, request);
        }

        @Override
        public Publisher validate(String token, Object request) {
            return Publishers.empty();
        }
    }

    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
