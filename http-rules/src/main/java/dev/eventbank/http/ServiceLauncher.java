package dev.eventbank.http;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code main} of every service and of the schema registry: Micronaut's launcher, made to fail the way an operator
 * needs at start instead of at the first request.
 * <ul>
 *   <li>Every singleton and configuration bean is created at start ({@code eagerInitSingletons},
 *       {@code eagerInitConfiguration}): a setting a bean reads lazily (a timeout of {@code abc}, a JWKS file that is
 *       not there) stops the start, where with Micronaut's default it started and then answered every request 500.</li>
 *   <li>A failed start is one ERROR line, {@code service failed to start reason="..."}, with the messages of the
 *       exception and its causes ({@link #reason}; the stack trace at DEBUG of this class's logger), and exit status 1;
 *       Micronaut's own handler logs 40 to 80 lines of stack and bean path around them.</li>
 *   <li>{@code LOG_FORMAT} (environment variable or system property) must be {@code plain} or {@code json}, in any
 *       case and with blanks around it: the logback files pick their appender by that name, and with any other name
 *       logback attaches none, so the service ran silent, its errors included. Anything else is one line on stderr
 *       and exit status 2, before anything is logged.</li>
 * </ul>
 * Our own code because Micronaut's startup error handler is not configurable beyond an exit code per exact exception
 * class ({@code mapError}), and logback has no case-insensitive appender reference.
 */
public final class ServiceLauncher {

    /** The variable (or system property) naming the log format; the logback files of every service read it. */
    public static final String LOG_FORMAT = "LOG_FORMAT";

    private ServiceLauncher() {
    }

    /**
     * Starts the service whose entry point is {@code application}, or exits the JVM (status 2: a bad
     * {@code LOG_FORMAT}; status 1: the context failed to start, one ERROR line saying why).
     *
     * @param application the class with {@code main}, for Micronaut's package scanning and banner
     * @param args        the command line, as Micronaut reads it (e.g. {@code -Dkey=value} style properties)
     * @return the running application context
     */
    public static ApplicationContext run(Class<?> application, String... args) {
        String format = logFormat(System.getProperty(LOG_FORMAT), System.getenv(LOG_FORMAT));
        if (format == null) {
            String given = System.getProperty(LOG_FORMAT) != null ? System.getProperty(LOG_FORMAT) : System.getenv(LOG_FORMAT);
            System.err.println("LOG_FORMAT=" + given + " is not a log format: use plain or json (or leave it unset "
                    + "for plain)");
            System.exit(2);
        }
        // logback reads system properties before the environment, so the normalised value wins
        System.setProperty(LOG_FORMAT, format);
        // only now is Micronaut's class loaded: its static logger starts logback, which must see the checked format
        Launcher launcher = new Launcher();
        launcher.mainClass(application).args(args);
        // the banner is plain text on stdout: in json mode every line there is JSON
        launcher.banner(!format.equals("json"));
        launcher.eagerInitSingletons(true);
        launcher.eagerInitConfiguration(true);
        return launcher.start();
    }

    /**
     * The log format to use: the system property if set, else the environment variable, trimmed and lower-cased;
     * {@code plain} when neither is set.
     *
     * @return {@code "plain"} or {@code "json"}, or {@code null} when the value set is neither
     */
    static String logFormat(String property, String environment) {
        String given = property != null ? property : environment;
        if (given == null || given.isBlank()) {
            return "plain";
        }
        String format = given.strip().toLowerCase(Locale.ROOT);
        return format.equals("plain") || format.equals("json") ? format : null;
    }

    /**
     * Why a start failed, on one line: the messages along the exception's causes, outermost first, each without
     * Micronaut's bean path ("Error instantiating bean ... Message: ... Path Taken: ...") and dropped when another one
     * already holds it (a wrapper repeats its cause's message), joined with ": " and white space collapsed. E.g. a
     * port in use is {@code Unable to start Micronaut server on *:8080: Address already in use}.
     *
     * @param exception what the application context's start threw
     * @return the reason, never empty (the exception's class name when no message is found)
     */
    static String reason(Throwable exception) {
        List<String> messages = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = exception; t != null && seen.add(t); t = t.getCause()) {
            String message = withoutBeanPath(t.getMessage());
            if (!message.isEmpty()) {
                messages.add(message);
            }
        }
        List<String> kept = new ArrayList<>();
        for (String message : messages) {
            boolean held = messages.stream().anyMatch(other -> other.length() > message.length() && other.contains(message))
                    || kept.contains(message);
            if (!held) {
                kept.add(message);
            }
        }
        return kept.isEmpty() ? exception.getClass().getName() : String.join(": ", kept).replace("\"", "'");
    }

    private static String withoutBeanPath(String message) {
        if (message == null) {
            return "";
        }
        String text = message;
        int start = text.indexOf("Message: ");
        if (start >= 0) {
            text = text.substring(start + "Message: ".length());
        }
        int path = text.indexOf("Path Taken");
        if (path >= 0) {
            text = text.substring(0, path);
        }
        return text.replaceAll("\\s+", " ").strip();
    }

    /** Micronaut's launcher with a one-line failed start; a class of its own so that it is loaded after the check. */
    private static final class Launcher extends Micronaut {

        @Override
        protected void handleStartupException(Environment environment, Throwable exception) {
            if (environment != null && environment.getActiveNames().contains(Environment.TEST)) {
                super.handleStartupException(environment, exception);
                return;
            }
            Logger log = LoggerFactory.getLogger(ServiceLauncher.class);
            log.error("service failed to start reason=\"{}\"", reason(exception));
            log.debug("service start failure", exception);
            System.exit(1);
        }
    }
}
