package dev.eventbank.query;

import dev.eventbank.schemas.common.AccountStatus;
import dev.eventbank.schemas.readmodel.AccountState;
import io.micronaut.security.authentication.Authentication;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which accounts each role reads. */
class ReadScopeTest {

    private static final AccountState OWNED = state("customer-1");
    private static final AccountState OTHERS = state("customer-2");
    private static final AccountState OWNERLESS = state(null);

    @Test
    void shouldLetTellersAndAuditorsReadEveryAccount() {
        for (String role : List.of("teller", "auditor")) {
            ReadScope scope = ReadScope.of(Authentication.build("someone", List.of(role)));
            assertTrue(scope.all());
            assertTrue(scope.test(OWNED) && scope.test(OTHERS) && scope.test(OWNERLESS), role);
        }
        // a customer who is also a teller reads as a teller
        assertTrue(ReadScope.of(Authentication.build("customer-2", List.of("customer", "teller"))).all());
    }

    @Test
    void shouldLetACustomerReadOnlyTheAccountsItOwns() {
        // when
        ReadScope scope = ReadScope.of(Authentication.build("customer-1", List.of("customer")));

        // then
        assertFalse(scope.all());
        assertTrue(scope.test(OWNED));
        assertFalse(scope.test(OTHERS));
        assertFalse(scope.test(OWNERLESS));
        assertFalse(scope.test(null));
    }

    @Test
    void shouldRefuseOtherRolesWhichSecuredStopsFirst() {
        assertThrows(IllegalStateException.class, () -> ReadScope.of(Authentication.build("op", List.of("operator"))));
    }

    private static AccountState state(String ownerId) {
        Instant t = Instant.parse("2025-01-01T10:00:00Z");
        return AccountState.newBuilder().setAccountId("a").setAccountNumber("n").setOwner("o").setCurrency("EUR")
                .setBalance(new BigDecimal("1.0000")).setStatus(AccountStatus.OPEN).setVersion(1).setOpenedAt(t)
                .setUpdatedAt(t).setOwnerId(ownerId).build();
    }
}
