package dev.eventbank.support.security;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;

import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Why a bearer token was refused, in words a client can act on: the detail of a 401.
 *
 * <p>The decision is micronaut-security-jwt's (signature against the trusted keys, expiry, issuer, audience); it
 * only says "not authenticated". This class looks at the refused token again, without trusting it, to name the
 * first reason a client can fix. It never accepts anything and never echoes the token.
 */
public final class TokenDiagnosis {

    private TokenDiagnosis() {
    }

    /**
     * @param authorization the request's {@code Authorization} header, absent when none was sent
     * @param issuer        the issuer the service trusts, absent when not configured
     * @param audience      the audience the service requires, absent when not configured
     * @param now           the time the expiry is compared with
     * @return one sentence, e.g. {@code "The bearer token expired at 2026-12-01T12:00:00Z."}
     */
    public static String explain(Optional<String> authorization, Optional<String> issuer, Optional<String> audience,
                                 Instant now) {
        if (authorization.isEmpty() || authorization.get().isBlank()) {
            return "This API needs an OAuth 2.0 bearer token: send 'Authorization: Bearer <JWT>'.";
        }
        String header = authorization.get().strip();
        if (header.equalsIgnoreCase("Bearer")) {
            return "The Authorization header names the Bearer scheme but carries no token ('Authorization: Bearer <JWT>').";
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "The Authorization header must use the Bearer scheme ('Authorization: Bearer <JWT>').";
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(header.substring(7).strip());
        } catch (ParseException e) {
            return "The bearer token is not a well-formed JWT.";
        }
        if (jwt instanceof PlainJWT || Algorithm.NONE.equals(jwt.getHeader().getAlgorithm())) {
            return "The bearer token is unsigned (alg 'none'); only signed tokens are accepted.";
        }
        // before Nimbus reads the claims: it names a member of the wrong type only in general terms
        Optional<String> wrongType = dev.eventbank.http.JwtClaimTypes.wrongTypeIn(authorization.get());
        if (wrongType.isPresent()) {
            return "The bearer token's claims are not valid: " + wrongType.get() + ".";
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            // Nimbus names the member, e.g. "Unexpected type of JSON object member exp"; nothing of the token itself
            return "The bearer token's claims are not valid (" + e.getMessage() + "): exp, nbf and iat must be numbers "
                    + "(seconds since 1970), iss and sub strings, aud a string or a list of strings (RFC 7519, 4.1).";
        }
        Date expiry = claims.getExpirationTime();
        if (expiry == null) {
            return "The bearer token has no expiry (exp); tokens must expire.";
        }
        if (expiry.getTime() <= 0) {
            // Nimbus reads exp as seconds times 1000 into a long: a value past about 292 million years wraps around
            // and read as a time before 1970 ("expired at 1969")
            return "The bearer token's expiry (exp) is not a time this API can read: it must be seconds since 1970, "
                    + "after 1970 and before the year 292,000,000 (RFC 7519, 4.1.4); tokens must expire.";
        }
        if (!expiry.toInstant().isAfter(now)) {
            return "The bearer token expired at " + expiry.toInstant() + ".";
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().isAfter(now)) {
            return "The bearer token is not valid before " + notBefore.toInstant() + ".";
        }
        if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
            return "The bearer token's issuer is not one this API trusts.";
        }
        List<String> audiences = claims.getAudience();
        if (audience.isPresent() && (audiences == null || !audiences.contains(audience.get()))) {
            return "The bearer token is not meant for this API: its audience (aud) must include '"
                    + audience.get() + "'.";
        }
        if (claims.getSubject() == null || claims.getSubject().isBlank()) {
            return "The bearer token has no subject (sub); tokens must name who they are for.";
        }
        if (jwt.getHeader() instanceof com.nimbusds.jose.JWSHeader jws && jws.getCriticalParams() != null
                && !jws.getCriticalParams().isEmpty()) {
            return "The bearer token has critical header parameters (crit) this API does not understand.";
        }
                return "The bearer token's signature does not verify against this API's trusted keys.";
    }
}
