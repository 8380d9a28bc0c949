package dev.eventbank.schemas.evolution;

import java.util.List;

/**
 * The upcasters of the event envelope {@code BankAccountEvent}, registered in {@link UpcasterChain}: every reader of
 * {@code bank-account-events} built on {@code AvroSerdes.value(BankAccountEvent.class, ...)} or
 * {@code AvroDeserializer} runs them. Add one only for what Avro's resolution cannot do (docs/schema-evolution.md);
 * a version step that only adds defaulted fields needs none (MoneyDeposited 1 -> 2 has none).
 */
public final class EventUpcasters {

    static final String EVENTS = "dev.eventbank.schemas.events.";

    public static final List<Upcaster> ALL = List.of(
            // version 1 knew only checking accounts: the schema default (null, "unknown") is what a generic reader
            // sees; our domain knows better and says CHECKING
            new Upcaster(EVENTS + "AccountOpened", 1, (v1, v2) -> {
                if (v2.get("accountType") == null) {
                    v2.put("accountType", Upcaster.enumSymbol(v2, "accountType", "CHECKING"));
                }
            }));

    private EventUpcasters() {
    }
}
