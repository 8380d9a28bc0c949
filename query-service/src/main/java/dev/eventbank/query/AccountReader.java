package dev.eventbank.query;

import dev.eventbank.schemas.readmodel.AccountState;

import java.util.List;
import java.util.function.Predicate;

/** Reads the account view; {@link ViewNotReadyException} while it is still being restored. */
public interface AccountReader {

    /** The account's latest state, or null when the view does not know it. */
    AccountState find(String accountId);

    /**
     * Up to {@code max} accounts in account-id order, strictly after {@code after} (null = from the start),
     * only those {@code filter} accepts; with an {@code ownerId}, only that owner's accounts, read without reading
     * any other's ({@link OwnerIndex}); null = every account.
     */
    List<AccountState> scan(String after, String ownerId, Predicate<AccountState> filter, int max);

    /**
     * The account's state as the projection service published it ({@code bank-account-state}), or null: the same as
     * {@link #find} unless the reader also holds states the projection has not folded yet ({@link FreshAccountReader}).
     */
    default AccountState projected(String accountId) {
        return find(accountId);
    }

    /** The view cannot be read yet (Kafka Streams is starting or restoring), or no longer. */
    final class ViewNotReadyException extends RuntimeException {
        public ViewNotReadyException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
