package dev.eventbank.bench.peer;

import dev.eventbank.bench.peer.AccountEvents.AccountOpened;
import dev.eventbank.bench.peer.AccountEvents.MoneyDeposited;
import dev.eventbank.bench.peer.AccountEvents.MoneyWithdrawn;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peer's read model, as an Axon team builds one: a table {@code account_view} in the same PostgreSQL, updated by
 * the event handlers of a tracking event processor. The processor runs each batch in one transaction that also stores
 * its tracking token (see {@link JdbcTransactions}), so every event is applied exactly once even across a crash.
 * Each update only moves an account forward ({@code WHERE version < ?}).
 *
 * <p>Read-your-writes: {@link #find(String, long, Duration)} answers from the table; if the account is behind the
 * version asked for, it waits on an in-JVM signal the handlers raise after their batch committed, then reads again,
 * bounded by the given wait. This is the latency-minded shape (Axon's subscription queries do the same job with
 * more machinery); nobody polls the table.
 *
 * <p>Limits: the signal is in this JVM only, as the processor and the REST layer are; a second instance would have to
 * poll or use subscription queries over a distributed query bus.
 */
@ProcessingGroup(AccountView.PROCESSOR)
final class AccountView {

    static final String PROCESSOR = "account-view";

    /** One account as the read model has it. */
    record Row(String accountId, String owner, String currency, BigDecimal balance, long version, Instant updatedAt) {
    }

    private final ConnectionProvider connections;
    private final Map<String, Long> committed = new ConcurrentHashMap<>();
    private final Object signal = new Object();

    AccountView(ConnectionProvider connections) {
        this.connections = connections;
    }

    static void createTable(ConnectionProvider connections) throws SQLException {
        try (Connection connection = connections.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS account_view (account_id VARCHAR(64) PRIMARY KEY, "
                    + "owner VARCHAR(200) NOT NULL, currency CHAR(3) NOT NULL, balance NUMERIC(22,4) NOT NULL, "
                    + "version BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL)");
        }
    }

    @EventHandler
    void on(AccountOpened event, @SequenceNumber long sequence, @Timestamp Instant at) throws SQLException {
        try (Connection connection = connections.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO account_view "
                     + "(account_id, owner, currency, balance, version, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                     + "ON CONFLICT (account_id) DO NOTHING")) {
            insert.setString(1, event.accountId());
            insert.setString(2, event.owner());
            insert.setString(3, event.currency());
            insert.setBigDecimal(4, event.initialDeposit());
            insert.setLong(5, sequence + 1);
            insert.setTimestamp(6, java.sql.Timestamp.from(at));
            insert.executeUpdate();
        }
        signalAfterCommit(event.accountId(), sequence + 1);
    }

    @EventHandler
    void on(MoneyDeposited event, @SequenceNumber long sequence, @Timestamp Instant at) throws SQLException {
        setBalance(event.accountId(), event.balanceAfter(), sequence + 1, at);
    }

    @EventHandler
    void on(MoneyWithdrawn event, @SequenceNumber long sequence, @Timestamp Instant at) throws SQLException {
        setBalance(event.accountId(), event.balanceAfter(), sequence + 1, at);
    }

    private void setBalance(String accountId, BigDecimal balance, long version, Instant at) throws SQLException {
        try (Connection connection = connections.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE account_view SET balance = ?, version = ?, "
                     + "updated_at = ? WHERE account_id = ? AND version < ?")) {
            update.setBigDecimal(1, balance);
            update.setLong(2, version);
            update.setTimestamp(3, java.sql.Timestamp.from(at));
            update.setString(4, accountId);
            update.setLong(5, version);
            update.executeUpdate();
        }
        signalAfterCommit(accountId, version);
    }

    private void signalAfterCommit(String accountId, long version) {
        // only a committed row may be promised to a waiting reader
        CurrentUnitOfWork.get().afterCommit(unitOfWork -> {
            committed.merge(accountId, version, Math::max);
            synchronized (signal) {
                signal.notifyAll();
            }
        });
    }

    /**
     * The account once the read model has at least {@code minVersion} of it, waiting at most {@code wait}; the row
     * as it is if the wait ran out (the caller compares versions), empty if there is no such account.
     */
    Optional<Row> find(String accountId, long minVersion, Duration wait) throws SQLException, InterruptedException {
        Optional<Row> row = read(accountId);
        if (minVersion <= 0 || row.map(r -> r.version() >= minVersion).orElse(false)) {
            return row;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (signal) {
            while (committed.getOrDefault(accountId, 0L) < minVersion) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMillis <= 0) {
                    break;
                }
                signal.wait(remainingMillis);
            }
        }
        return read(accountId);
    }

    private Optional<Row> read(String accountId) throws SQLException {
        try (Connection connection = connections.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT owner, currency, balance, version, updated_at "
                     + "FROM account_view WHERE account_id = ?")) {
            select.setString(1, accountId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(accountId, rs.getString(1), rs.getString(2), rs.getBigDecimal(3),
                        rs.getLong(4), rs.getTimestamp(5).toInstant()));
            }
        }
    }
}
