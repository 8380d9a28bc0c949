package dev.eventbank.command.domain;

import dev.eventbank.command.domain.AccountCommand.CloseAccount;
import dev.eventbank.command.domain.AccountCommand.DepositMoney;
import dev.eventbank.command.domain.AccountCommand.OpenAccount;
import dev.eventbank.command.domain.AccountCommand.WithdrawMoney;
import dev.eventbank.command.domain.AccountEvent.AccountClosed;
import dev.eventbank.command.domain.AccountEvent.AccountOpened;
import dev.eventbank.command.domain.AccountEvent.MoneyDeposited;
import dev.eventbank.command.domain.AccountEvent.MoneyWithdrawn;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

import static dev.eventbank.command.domain.DeciderSpec.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The account's rules as specs: given events, when a command, then events or a rejection. */
class BankAccountTest {

    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency JPY = Currency.getInstance("JPY");
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");
    private static final Instant T1 = Instant.parse("2025-01-01T10:00:01Z");

    private static final AccountOpened OPENED = opened("100.00");

    @Test
    void shouldOpenWhenTheAccountDoesNotExist() {
        given()
                .when(new OpenAccount("NL01", "Ada Lovelace", EUR, new BigDecimal("100"), T0))
                .then(OPENED);
    }

    @Test
    void shouldOpenWithAZeroInitialDeposit() {
        given()
                .when(new OpenAccount("NL01", "Ada Lovelace", EUR, BigDecimal.ZERO, T0))
                .then(opened("0"));
    }

    @Test
    void shouldRejectOpenWhenAlreadyOpen() {
        given(OPENED)
                .when(new OpenAccount("NL01", "Ada Lovelace", EUR, BigDecimal.ONE, T1))
                .thenRejects(RejectionCode.ALREADY_OPEN);
    }

    @Test
    void shouldRejectOpenWhenTheIdBelongsToAClosedAccount() {
        given(opened("0"), new AccountClosed(null, T1))
                .when(new OpenAccount("NL01", "Ada Lovelace", EUR, BigDecimal.ONE, T1))
                .thenRejects(RejectionCode.ACCOUNT_CLOSED);
    }

    @Test
    void shouldRejectOpenWhenTheInitialDepositIsNegative() {
        given()
                .when(new OpenAccount("NL01", "Ada Lovelace", EUR, new BigDecimal("-0.01"), T0))
                .thenRejects(RejectionCode.INVALID_AMOUNT);
    }

    @Test
    void shouldRejectOpenWhenTheInitialDepositHasMoreDecimalsThanTheCurrency() {
        String detail = given()
                .when(new OpenAccount("NL01", "Ada Lovelace", JPY, new BigDecimal("10.5"), T0))
                .thenRejects(RejectionCode.INVALID_AMOUNT);
        assertTrue(detail.contains("JPY"), detail);
    }

    @Test
    void shouldDepositWhenOpen() {
        given(OPENED)
                .when(new DepositMoney(new BigDecimal("50.25"), T1))
                .then(new MoneyDeposited(eur("50.25"), eur("150.25"), T1));
    }

    @Test
    void shouldAcceptTrailingZerosBeyondTheCurrencyDecimals() {
        given(OPENED)
                .when(new DepositMoney(new BigDecimal("1.5000"), T1))
                .then(new MoneyDeposited(eur("1.50"), eur("101.50"), T1));
    }

    @Test
    void shouldRejectDepositWhenTheAmountIsZero() {
        given(OPENED).when(new DepositMoney(BigDecimal.ZERO, T1)).thenRejects(RejectionCode.INVALID_AMOUNT);
    }

    @Test
    void shouldRejectDepositWhenTheAmountIsTooPrecise() {
        given(OPENED).when(new DepositMoney(new BigDecimal("0.001"), T1)).thenRejects(RejectionCode.INVALID_AMOUNT);
    }

    @Test
    void shouldRejectDepositWhenTheAmountIsAboveTheLimit() {
        given(OPENED).when(new DepositMoney(Money.MAX_AMOUNT.add(BigDecimal.ONE), T1))
                .thenRejects(RejectionCode.INVALID_AMOUNT);
    }

    @Test
    void shouldRejectDepositWhenTheBalanceWouldExceedItsLimit() {
        AccountOpened rich = opened("1000000000000");
        MoneyDeposited[] deposits = new MoneyDeposited[999];
        Money balance = rich.initialDeposit();
        for (int i = 0; i < deposits.length; i++) {
            balance = balance.plus(eur("1000000000000"));
            deposits[i] = new MoneyDeposited(eur("1000000000000"), balance, T1);
        }
        AccountEvent[] history = new AccountEvent[1000];
        history[0] = rich;
        System.arraycopy(deposits, 0, history, 1, deposits.length);

        given(history).when(new DepositMoney(new BigDecimal("0.01"), T1)).thenRejects(RejectionCode.BALANCE_LIMIT);
    }

    @Test
    void shouldRejectDepositWhenTheAccountDoesNotExist() {
        given().when(new DepositMoney(BigDecimal.ONE, T0)).thenRejects(RejectionCode.ACCOUNT_NOT_FOUND);
    }

    @Test
    void shouldRejectDepositWhenClosed() {
        given(opened("0"), new AccountClosed("moving", T1))
                .when(new DepositMoney(BigDecimal.ONE, T1))
                .thenRejects(RejectionCode.ACCOUNT_CLOSED);
    }

    @Test
    void shouldWithdrawWhenTheBalanceCoversIt() {
        given(OPENED)
                .when(new WithdrawMoney(new BigDecimal("30.25"), T1))
                .then(new MoneyWithdrawn(eur("30.25"), eur("69.75"), T1));
    }

    @Test
    void shouldWithdrawTheWholeBalance() {
        given(OPENED)
                .when(new WithdrawMoney(new BigDecimal("100"), T1))
                .then(new MoneyWithdrawn(eur("100"), eur("0"), T1));
    }

    @Test
    void shouldRejectWithdrawalWhenFundsAreInsufficient() {
        String detail = given(OPENED)
                .when(new WithdrawMoney(new BigDecimal("100.01"), T1))
                .thenRejects(RejectionCode.INSUFFICIENT_FUNDS);
        assertTrue(detail.contains("100.00 EUR"), detail);
    }

    @Test
    void shouldRejectWithdrawalWhenTheAmountIsNegative() {
        given(OPENED).when(new WithdrawMoney(new BigDecimal("-1"), T1)).thenRejects(RejectionCode.INVALID_AMOUNT);
    }

    @Test
    void shouldRejectWithdrawalWhenTheAccountDoesNotExist() {
        given().when(new WithdrawMoney(BigDecimal.ONE, T0)).thenRejects(RejectionCode.ACCOUNT_NOT_FOUND);
    }

    @Test
    void shouldCloseWhenTheBalanceIsZero() {
        given(OPENED, new MoneyWithdrawn(eur("100"), eur("0"), T1))
                .when(new CloseAccount("moving abroad", T1))
                .then(new AccountClosed("moving abroad", T1));
    }

    @Test
    void shouldRejectCloseWhenTheBalanceIsNotZero() {
        given(OPENED).when(new CloseAccount(null, T1)).thenRejects(RejectionCode.NON_ZERO_BALANCE);
    }

    @Test
    void shouldRejectCloseWhenAlreadyClosed() {
        given(opened("0"), new AccountClosed(null, T1))
                .when(new CloseAccount(null, T1))
                .thenRejects(RejectionCode.ACCOUNT_CLOSED);
    }

    @Test
    void shouldRejectCloseWhenTheAccountDoesNotExist() {
        given().when(new CloseAccount(null, T0)).thenRejects(RejectionCode.ACCOUNT_NOT_FOUND);
    }

    @Test
    void shouldCarryEmailAndAccountTypeIntoTheEventWhenOpening() {
        given()
                .when(new OpenAccount("NL02", "Grace Hopper", EUR, BigDecimal.TEN, "grace@example.com",
                        AccountType.SAVINGS, T0))
                .then(new AccountOpened("NL02", "Grace Hopper", EUR, eur("10"), "grace@example.com",
                        AccountType.SAVINGS, T0));
    }

    @Test
    void shouldCarryTheReferenceIntoTheEventWhenDepositing() {
        given(OPENED)
                .when(new DepositMoney(new BigDecimal("5"), "invoice 42", T1))
                .then(new MoneyDeposited(eur("5"), eur("105"), "invoice 42", T1));
    }

    static AccountOpened opened(String initialDeposit) {
        return new AccountOpened("NL01", "Ada Lovelace", EUR, eur(initialDeposit), T0);
    }

    static Money eur(String amount) {
        return new Money(new BigDecimal(amount), EUR);
    }
}
