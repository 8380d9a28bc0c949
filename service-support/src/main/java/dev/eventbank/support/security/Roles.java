package dev.eventbank.support.security;

/**
 * The roles a bearer token carries in its {@code roles} claim (docs: README, Security; /work/shared/DESIGN.md).
 *
 * <ul>
 *   <li>{@link #CUSTOMER}: the token's subject is a customer id; opens accounts owned by that subject, moves and
 *       reads only its own accounts. Another customer's account answers as if it did not exist (404).</li>
 *   <li>{@link #TELLER}: every command on every account, and every account read.</li>
 *   <li>{@link #AUDITOR}: every read (history, time travel, totals, the event browser), no command.</li>
 *   <li>{@link #OPERATOR}: the projection's admin API (rebuild) and registry writes; nothing about money.</li>
 * </ul>
 */
public final class Roles {

    public static final String CUSTOMER = "customer";
    public static final String TELLER = "teller";
    public static final String AUDITOR = "auditor";
    public static final String OPERATOR = "operator";

    private Roles() {
    }
}
