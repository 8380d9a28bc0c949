package dev.eventbank.registry;

/**
 * A failure the client is told about, with Confluent's HTTP status and {@code error_code}, so clients written
 * against Confluent's registry (their serdes, kafkajs) react to ours the same way.
 *
 * <p>The factory methods carry Confluent's codes and message texts; client errors are logged without stack traces.
 */
public final class RegistryException extends RuntimeException {

    private final int status;
    private final int errorCode;

    public RegistryException(int status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public RegistryException(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }

    /** Confluent's {@code error_code} for an operation that timed out (the store's broker away or slow). */
    public static final int TIMEOUT = 50002;

    public static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
    }

    public static RegistryException versionNotFound(int version) {
        return new RegistryException(404, 40402, "Version " + version + " not found.");
    }

    public static RegistryException schemaNotFound() {
        return new RegistryException(404, 40403, "Schema not found");
    }

    public static RegistryException schemaNotFound(int id) {
        return new RegistryException(404, 40403, "Schema " + id + " not found");
    }

    public static RegistryException subjectSoftDeleted(String subject) {
        return new RegistryException(404, 40404,
                "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
    }

    public static RegistryException subjectNotSoftDeleted(String subject) {
        return new RegistryException(404, 40405,
                "Subject '" + subject + "' was not deleted first before being permanently deleted");
    }

    public static RegistryException versionSoftDeleted(String subject, int version) {
        return new RegistryException(404, 40406, "Subject '" + subject + "' Version " + version
                + " was soft deleted.Set permanent=true to delete permanently");
    }

    public static RegistryException versionNotSoftDeleted(String subject, int version) {
        return new RegistryException(404, 40407, "Subject '" + subject + "' Version " + version
                + " was not deleted first before being permanently deleted");
    }

    public static RegistryException subjectCompatibilityNotConfigured(String subject) {
        return new RegistryException(404, 40408,
                "Subject '" + subject + "' does not have subject-level compatibility configured");
    }

    public static RegistryException incompatible(String message) {
        // Confluent answers 409 with error_code 409 (not a 4090x code) for this one
        return new RegistryException(409, 409, message);
    }

    public static RegistryException invalidSchema(String detail) {
        return new RegistryException(422, 42201, "Invalid schema: " + detail);
    }

    public static RegistryException invalidVersion(String version) {
        return new RegistryException(422, 42202, "The specified version '" + version + "' is not a valid version id. "
                + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    public static RegistryException invalidCompatibilityLevel() {
        return new RegistryException(422, 42203, "Invalid compatibility level. Valid values are none, backward, "
                + "forward, full, backward_transitive, forward_transitive, and full_transitive");
    }

    /**
     * 42208, Confluent's code for a subject name it refuses: one with a control character
     * ({@link Character#isISOControl}), which no client means and no log or terminal shows faithfully.
     */
    public static RegistryException invalidSubject(String subject) {
        return new RegistryException(422, 42208, "The specified subject '" + subject + "' is not valid: it contains a "
                + "control character");
    }

    /** 42209, Confluent's code for a schema (with its subject name) larger than the store takes in one record. */
    public static RegistryException schemaTooLarge(String detail) {
        return new RegistryException(422, 42209, "Register operation failed because schema is too large: " + detail);
    }

    /** 400: a query flag that is neither {@code true} nor {@code false}; nothing is done with the request. */
    public static RegistryException invalidFlag(String name, String value) {
        return new RegistryException(400, 400, "Invalid query parameter " + name + "='" + value
                + "': it takes true or false");
    }

    public static RegistryException storeError(String message, Throwable cause) {
        return new RegistryException(500, 50001, "Error in the backend data store: " + message, cause);
    }

    public static RegistryException timeout(String message) {
        return new RegistryException(500, TIMEOUT, "Operation timed out: " + message);
    }

    /** A client mistake (4xx): logged as one line, no stack trace. */
    public boolean isClientError() {
        return status < 500;
    }
}
