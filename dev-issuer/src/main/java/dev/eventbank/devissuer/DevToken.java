package dev.eventbank.devissuer;

import java.nio.file.Path;

/**
 * {@code bin/dev-token ROLE [SUBJECT]}: prints a token the local stack accepts, valid for one hour.
 *
 * <p>In: a role ({@code customer}, {@code teller}, {@code auditor}, {@code operator}) and a subject (required for
 * {@code customer}: the customer id whose accounts the token may use; otherwise {@code dev-<role>}). The issuer's key
 * is the local stack's, in {@code <data dir>/security} (data dir: {@code LOCAL_STACK_DATA}, else
 * {@code <eventbank.home>/.local-stack-data}, as {@code bin/local-stack}). Out: the token on one line; usage errors
 * on stderr with exit status 2, also when the data directory holds no stack's key (it never makes one: only
 * {@code bin/local-stack} does, so a token is always one a stack trusts).
 */
public final class DevToken {

    private DevToken() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2 || !DevIssuer.roleSet().contains(args[0])) {
            usage("unknown or missing role");
            return;
        }
        String role = args[0];
        if ("customer".equals(role) && args.length < 2) {
            usage("a customer token needs a SUBJECT: the customer id that owns the accounts");
            return;
        }
        String subject = args.length == 2 ? args[1] : "dev-" + role;
        if (subject.isBlank() || subject.length() > 128 || !subject.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            usage("SUBJECT must be 1 to 128 printable ASCII characters without spaces");
            return;
        }
        Path security = securityDirectory(dataDirectory());
        if (!java.nio.file.Files.exists(security.resolve(DevIssuer.PRIVATE_KEY_FILE))) {
            // a new key here would sign tokens that no running stack trusts (401 "signature does not verify")
            System.err.println("dev-token: no local stack's key in " + security + ": start bin/local-stack first, and with"
                    + " --data-dir DIR set LOCAL_STACK_DATA=DIR for bin/dev-token too");
            System.exit(2);
            return;
        }
        System.out.println(DevIssuer.inDirectory(security).token(role, subject));
    }

    /** The local stack's data directory, found as {@code bin/local-stack} finds it. */
    static Path dataDirectory() {
        String env = System.getenv("LOCAL_STACK_DATA");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("eventbank.home", ".")).resolve(".local-stack-data").toAbsolutePath();
    }

    /** Where the dev issuer keeps its key inside a data directory. */
    public static Path securityDirectory(Path dataDirectory) {
        return dataDirectory.resolve("security");
    }

    private static void usage(String problem) {
        System.err.println("dev-token: " + problem);
        System.err.println("usage: bin/dev-token customer|teller|auditor|operator [SUBJECT]");
        System.exit(2);
    }
}
