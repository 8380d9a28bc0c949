package dev.eventbank.support.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.eventbank.support.settings.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.jwt.validator.ReactiveJsonWebTokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;

/**
 * Remembers the bearer tokens micronaut-security-jwt has accepted, so that a client sending the same token with
 * every request pays the signature check once per {@code max-age}, not once per request.
 *
 * <p>Why: the RS256 check of every request's token (Nimbus, {@code BigInteger} arithmetic) took about a tenth of
 * the command service's CPU samples in the 64-client spread benchmark ({@code perf record -a}, 2026-12-01 22:46
 * UTC), and a client (a user's session, a service) sends one token for its whole lifetime. micronaut-security has no
 * such cache, so this wraps its {@link ReactiveJsonWebTokenValidator} bean as it is created
 * ({@link BeanCreatedEventListener}): a token is looked up by its exact text; one not found (or no longer valid)
 * goes through the whole validation (signature against the trusted keys, issuer, audience, expiry, not-before,
 * {@link ExpiryRequiredClaimsValidator}) and, when accepted, is kept with the {@link Authentication} it gave.
 *
 * <p>Rules: an accepted token is answered from the cache until the earlier of its {@code exp} and {@code max-age}
 * after its validation, never after its expiry (checked against the clock on every hit). Refused tokens are never
 * kept: each is validated again, so a token refused because its key was not yet known is accepted once it is.
 * Only a token's canonical text is kept ({@link #canonical}). At most {@value #MAX_TOKENS} tokens are kept (Caffeine's
 * size eviction, which weighs how recently and how often each was used). The price: a token whose signing key
 * is withdrawn from the key set stays accepted up to {@code max-age} (default 60 s) longer; set
 * {@code eventbank.security.validated-tokens.max-age} to {@code 0s} to validate every request. The cache assumes
 * the claims validators give the same answer for every request that carries the same token: ours that reads the
 * request ({@link ClaimTypesValidator}) reads the token from its {@code Authorization} header, the cache's key.
 *
 * <p>Meters: Micrometer's Caffeine binder, {@code cache.gets{cache=validated-tokens,result=hit|miss}} and the rest.
 */
@Singleton
@Requires(classes = ReactiveJsonWebTokenValidator.class)
@SuppressWarnings({"rawtypes", "unchecked"})
public final class ValidatedTokenCache implements BeanCreatedEventListener<ReactiveJsonWebTokenValidator> {

    /** At most this many accepted tokens are kept: one per active client is the expected use. */
    public static final int MAX_TOKENS = 10_000;
    /** The cache's name in its meters. */
    public static final String METER_NAME = "validated-tokens";

    /** A signed JWT's compact form: three base64url parts, nothing else ({@link #canonical}). */
    private static final Pattern CANONICAL = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    private final Duration maxAge;
    private final Clock clock;
    private final BeanProvider<MeterRegistry> meters;

    /**
     * @param maxAge how long an accepted token is answered without a new validation, at most; zero turns the cache
     *               off ({@code eventbank.security.validated-tokens.max-age}, a Micronaut duration such as {@code 60s})
     * @param meters where the cache's meters go, if the service has a registry (looked up when the validator is
     *               created)
     * @throws IllegalArgumentException if {@code maxAge} is negative
     */
    public ValidatedTokenCache(@Value("${eventbank.security.validated-tokens.max-age:60s}") Duration maxAge,
                               BeanProvider<MeterRegistry> meters) {
        this(maxAge, Clock.systemUTC(), meters);
    }

    ValidatedTokenCache(Duration maxAge, Clock clock, BeanProvider<MeterRegistry> meters) {
        this.maxAge = Settings.notNegative("eventbank.security.validated-tokens.max-age", maxAge);
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public ReactiveJsonWebTokenValidator onCreated(BeanCreatedEvent<ReactiveJsonWebTokenValidator> event) {
        ReactiveJsonWebTokenValidator validator = event.getBean();
        if (maxAge.isZero()) {
            return validator;
        }
        Caching caching = new Caching(validator, maxAge, clock);
        meters.ifPresent(registry -> CaffeineCacheMetrics.monitor(registry, caching.accepted, METER_NAME));
        return caching;
    }

    /**
     * Whether {@code token} is the one text of its signed JWT: three base64url parts with nothing else in them, the
     * signature encoded as its bytes encode. Nimbus decodes base64 leniently (it skips characters outside the
     * alphabet and takes {@code +/} for {@code -_}), and the signature part is not itself signed, so one token
     * could be sent as any number of texts that all verify: each would take a place in the cache (found by
     * review). Only the canonical text is remembered; the others are validated every time.
     */
    static boolean canonical(String token, SignedJWT signed) {
        if (!CANONICAL.matcher(token).matches()) {
            return false;
        }
        String signature = token.substring(token.lastIndexOf('.') + 1);
        return signature.equals(Base64URL.encode(signed.getSignature().decode()).toString());
    }

    /** An accepted token: what it authenticates, and the instant after which it must be validated again. */
    private record Accepted(Authentication authentication, Instant validUntil) {
    }

    /** The validator as micronaut-security sees it: the cache in front of the one it made. */
    static final class Caching implements ReactiveJsonWebTokenValidator {

        private final ReactiveJsonWebTokenValidator delegate;
        private final Duration maxAge;
        private final Clock clock;
        final Cache<String, Accepted> accepted;

        Caching(ReactiveJsonWebTokenValidator delegate, Duration maxAge, Clock clock) {
            this.delegate = delegate;
            this.maxAge = maxAge;
            this.clock = clock;
            this.accepted = Caffeine.newBuilder()
                    .maximumSize(MAX_TOKENS)
                    .expireAfter(new Expiry<String, Accepted>() {
                        @Override
                        public long expireAfterCreate(String token, Accepted value, long currentTime) {
                            return Math.max(0, Duration.between(clock.instant(), value.validUntil()).toNanos());
                        }

                        @Override
                        public long expireAfterUpdate(String token, Accepted value, long currentTime, long currentDuration) {
                            return expireAfterCreate(token, value, currentTime);
                        }

                        @Override
                        public long expireAfterRead(String token, Accepted value, long currentTime, long currentDuration) {
                            return currentDuration;
                        }
                    })
                    .recordStats()
                    .build();
        }

        @Override
        public Publisher<Authentication> validateToken(String token, @Nullable Object request) {
            Accepted known = accepted.getIfPresent(token);
            Instant now = clock.instant();
            if (known != null && now.isBefore(known.validUntil())) {
                return Publishers.just(known.authentication());
            }
            return Publishers.then((Publisher<Authentication>) delegate.validateToken(token, request),
                    authentication -> remember(token, authentication, now));
        }

        @Override
        public Publisher validate(String token, @Nullable Object request) {
            return delegate.validate(token, request);
        }

        @Override
        public int getOrder() {
            return delegate.getOrder();
        }

        private void remember(String token, Authentication authentication, Instant validatedAt) {
            Date expiry;
            try {
                // read again only for exp: the delegate has just checked the token's signature and claims
                if (!(JWTParser.parse(token) instanceof SignedJWT signed) || !canonical(token, signed)) {
                    return;
                }
                expiry = signed.getJWTClaimsSet().getExpirationTime();
            } catch (ParseException | RuntimeException e) {
                return;
            }
            if (expiry == null) {
                return;
            }
            Instant validUntil = validatedAt.plus(maxAge);
            if (expiry.toInstant().isBefore(validUntil)) {
                validUntil = expiry.toInstant();
            }
            if (validatedAt.isBefore(validUntil)) {
                accepted.put(token, new Accepted(authentication, validUntil));
            }
        }
    }
}
