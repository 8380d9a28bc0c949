package dev.eventbank.bench.peer;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.ConnectionWrapperFactory;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Axon's {@link TransactionManager} and {@link ConnectionProvider} for plain JDBC, as Spring's
 * {@code DataSourceTransactionManager} would provide them in a Spring application: a transaction binds one
 * connection (auto-commit off) to the current thread, every Axon component that asks for a connection on that thread
 * gets that same connection (its {@code close()} does nothing), and the transaction's commit commits it.
 *
 * <p>So in a command's unit of work, Axon's {@code TransactionManagingInterceptor} starts the transaction, the event
 * store appends the events in the prepare-commit phase on that connection, and the unit of work's commit commits
 * them: a 200 means the events are committed. In an event processor's batch, the read-model updates and the token
 * update commit together. Outside a transaction, a connection is an ordinary auto-commit one from the pool.
 *
 * <p>The connection is taken from the pool lazily, on first use, so a command that waits for its aggregate's lock
 * does not hold a connection meanwhile. A transaction started while one is active on the thread joins it (as
 * Spring's default propagation does); a rollback of a joined transaction marks the outer one rollback-only.
 *
 * <p>Limits: one thread per transaction (Axon's units of work run on one thread); no savepoints.
 */
final class JdbcTransactions implements TransactionManager, ConnectionProvider {

    private final DataSource pool;
    private final ThreadLocal<Bound> current = new ThreadLocal<>();

    JdbcTransactions(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Transaction startTransaction() {
        Bound outer = current.get();
        if (outer != null) {
            return new Transaction() {
                @Override
                public void commit() {
                    // the outer transaction commits
                }

                @Override
                public void rollback() {
                    outer.rollbackOnly = true;
                }
            };
        }
        Bound bound = new Bound();
        current.set(bound);
        return new Transaction() {
            @Override
            public void commit() {
                if (bound.finished) {
                    return;
                }
                try {
                    if (bound.connection != null) {
                        if (bound.rollbackOnly) {
                            bound.connection.rollback();
                            throw new IllegalStateException("transaction was marked rollback-only by a joined transaction");
                        }
                        bound.connection.commit();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("commit failed: " + e.getMessage(), e);
                } finally {
                    finish(bound);
                }
            }

            @Override
            public void rollback() {
                if (bound.finished) {
                    return;
                }
                try {
                    if (bound.connection != null) {
                        bound.connection.rollback();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("rollback failed: " + e.getMessage(), e);
                } finally {
                    finish(bound);
                }
            }
        };
    }

    @Override
    public Connection getConnection() throws SQLException {
        Bound bound = current.get();
        if (bound == null) {
            return pool.getConnection();
        }
        if (bound.connection == null) {
            Connection connection = pool.getConnection();
            connection.setAutoCommit(false);
            bound.connection = connection;
        }
        // Axon closes (and may commit) every connection it asked for; the transaction's end does both for this one
        return ConnectionWrapperFactory.wrap(bound.connection, JOINED);
    }

    private static final ConnectionWrapperFactory.ConnectionCloseHandler JOINED = new ConnectionWrapperFactory.ConnectionCloseHandler() {
        @Override
        public void close(Connection connection) {
        }

        @Override
        public void commit(Connection connection) {
        }
    };

    private void finish(Bound bound) {
        bound.finished = true;
        if (current.get() == bound) {
            current.remove();
        }
        if (bound.connection != null) {
            try {
                bound.connection.setAutoCommit(true);
                bound.connection.close();
            } catch (SQLException e) {
                // the pool discards a broken connection itself
            }
        }
    }

    private static final class Bound {
        Connection connection;
        boolean rollbackOnly;
        boolean finished;
    }
}
