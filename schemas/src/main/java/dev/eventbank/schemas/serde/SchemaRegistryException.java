package dev.eventbank.schemas.serde;

/**
 * A registry call that failed, with Confluent's {@code error_code} when the registry gave one
 * (e.g. 409 incompatible schema, 40403 schema not found), or -1 when it could not be reached.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    /** Confluent's {@code error_code} for a schema id the registry does not hold. */
    public static final int SCHEMA_NOT_FOUND = 40403;

    /**
     * Whether {@code failure} (a decoding failure, or any of its causes) is the registry's failure rather than the
     * record's: the registry could not be reached, or answered anything but {@value #SCHEMA_NOT_FOUND} (a 5xx, a 429
     * when rate-limited, a 401 or 403 for expired or wrong credentials, a proxy's 404 without Confluent's error code).
     * Such a record is valid and must be retried, never skipped or dead-lettered: only a schema id the registry says it
     * does not hold makes the record itself undecodable.
     *
     * @param failure what decoding threw; null is not the registry's failure
     */
    public static boolean registryFailed(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException registryError) {
                return registryError.errorCode() != SCHEMA_NOT_FOUND;
            }
        }
        return false;
    }
}
