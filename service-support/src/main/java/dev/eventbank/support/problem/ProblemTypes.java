package dev.eventbank.support.problem;

import io.micronaut.http.HttpStatus;

import java.util.Locale;

/**
 * The problem catalogue of the whole API: the {@code type} URI of every {@code application/problem+json} answer
 * (RFC 9457 section 3.1.1) of the command, query and projection services, in one place so that one kind of error
 * has one type whichever service answers it. Types are relative references ({@code /problems/<kind>}), resolved
 * against the address of the service that answered; they are stable: a client may switch on them. The catalogue,
 * with the status and when each is used, is documented in {@code docs/problems.md}.
 *
 * <p>Limits: a URI is an identifier here, nothing is served at it (RFC 9457 allows that; {@code docs/problems.md}
 * is the human-readable documentation). Business rejections of the command service are typed by their rejection
 * code ({@link #ofCode(String)}), so a new rejection code brings a new type.
 */
public final class ProblemTypes {

    /** 400: a malformed or invalid request: body, field, query parameter, path or header (the detail names it). */
    public static final String INVALID_REQUEST = "/problems/invalid-request";
    /** 401: no bearer token, or one that is not valid (unsigned, expired, another issuer or audience, wrong key). */
    public static final String UNAUTHORIZED = "/problems/unauthorized";
    /** 403: a valid token whose roles do not allow the operation. */
    public static final String FORBIDDEN = "/problems/forbidden";
    /**
     * 403: command service, {@code /internal/**}: a request without the instances' own credential (header
     * {@code X-Eventbank-Instance-Auth}); a user's bearer token alone never reaches these routes.
     */
    public static final String INSTANCE_CREDENTIAL = "/problems/instance-credential";
    /** 404: no account has this id (also for an id that is not a UUID: no account can have it). */
    public static final String ACCOUNT_NOT_FOUND = "/problems/account-not-found";
    /** 404: no such route. */
    public static final String NOT_FOUND = "/problems/not-found";
    /** 405: the route exists, not with this method. */
    public static final String METHOD_NOT_ALLOWED = "/problems/method-not-allowed";
    /** 406: none of the media types in {@code Accept} can be produced. */
    public static final String NOT_ACCEPTABLE = "/problems/not-acceptable";
    /** 409: {@code If-Match} does not match the account's current version ({@code currentVersion} member). */
    public static final String VERSION_CONFLICT = "/problems/version-conflict";
    /**
     * 409: {@code POST /accounts} with an account number another account holds (open, closed, or being opened);
     * nothing is appended. Also the type of the {@code ACCOUNT_NUMBER_TAKEN} rejection code ({@link #ofCode}).
     */
    public static final String ACCOUNT_NUMBER_TAKEN = "/problems/account-number-taken";
    /** 409: an operation conflicts with one in progress (projection service: a rebuild). */
    public static final String CONFLICT = "/problems/conflict";
    /** 413: the request body is larger than the service takes. */
    public static final String PAYLOAD_TOO_LARGE = "/problems/payload-too-large";
    /** 414: the request line (method, path and query) is longer than the service reads (RFC 9110 section 15.5.15). */
    public static final String URI_TOO_LONG = "/problems/uri-too-long";
    /** 415: a body without {@code Content-Type: application/json}, or with a charset other than UTF-8. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "/problems/unsupported-media-type";
    /** 422: an {@code Idempotency-Key} used again with another request. */
    public static final String IDEMPOTENCY_KEY_REUSED = "/problems/idempotency-key-reused";
    /** 431: the request's header fields are larger than the service reads (RFC 6585 section 5). */
    public static final String HEADER_FIELDS_TOO_LARGE = "/problems/header-fields-too-large";
    /**
     * 429: this caller already has as many reads waiting as one caller may ({@code Retry-After}); others are still
     * served (RFC 6585 section 4).
     */
    public static final String TOO_MANY_REQUESTS = "/problems/too-many-requests";
    /** 503: the service cannot answer now (Kafka, a store or the projection); {@code Retry-After} says when to retry. */
    public static final String UNAVAILABLE = "/problems/unavailable";
    /**
     * 503: the command service did not learn a command's outcome within its reply timeout; the command may or may
     * not have been applied: a retry with the same {@code Idempotency-Key} answers which.
     */
    public static final String OUTCOME_UNKNOWN = "/problems/outcome-unknown";
    /** 503: a {@code minVersion} read timed out before the view had that version ({@code currentVersion} member). */
    public static final String VERSION_NOT_VISIBLE = "/problems/version-not-visible";
    /** 5xx: a fault of ours; the detail stays in our log. */
    public static final String SERVER_ERROR = "/problems/server-error";

    private ProblemTypes() {
    }

    /** The type of a command service rejection code: {@code INSUFFICIENT_FUNDS} -> {@code /problems/insufficient-funds}. */
    public static String ofCode(String code) {
        return "/problems/" + code.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The type of an error the framework answers by itself (no route, wrong method, too large, ...), by its status. */
    public static String forStatus(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> UNAUTHORIZED;
            case FORBIDDEN -> FORBIDDEN;
            case NOT_FOUND -> NOT_FOUND;
            case METHOD_NOT_ALLOWED -> METHOD_NOT_ALLOWED;
            case NOT_ACCEPTABLE -> NOT_ACCEPTABLE;
            case CONFLICT -> CONFLICT;
            case REQUEST_ENTITY_TOO_LARGE -> PAYLOAD_TOO_LARGE;
            case REQUEST_URI_TOO_LONG -> URI_TOO_LONG;
            case UNSUPPORTED_MEDIA_TYPE -> UNSUPPORTED_MEDIA_TYPE;
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> HEADER_FIELDS_TOO_LARGE;
            case SERVICE_UNAVAILABLE -> UNAVAILABLE;
            default -> status.getCode() >= 500 ? SERVER_ERROR : INVALID_REQUEST;
        };
    }
}
