package dev.eventbank.command.domain;

import java.util.List;
import java.util.Objects;

/** The outcome of {@link BankAccount#decide}: the events to append, or a rejection with its reason. */
public sealed interface Decision {

    record Accepted(List<AccountEvent> events) implements Decision {
        public Accepted {
            events = List.copyOf(events);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("an accepted command yields at least one event");
            }
        }
    }

    record Rejected(RejectionCode code, String detail) implements Decision {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
