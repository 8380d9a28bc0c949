package dev.eventbank.schemas.evolution;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.util.Objects;

/**
 * One step of an upcaster chain: turns version {@code fromVersion} of the record {@code recordName} (an event
 * payload such as {@code dev.eventbank.schemas.events.AccountOpened}) into version {@code fromVersion + 1}.
 *
 * <p>The chain hands the step the old record (decoded with its writer's schema) and a new record of the next
 * version's schema, already filled by Avro's rules: fields of the same name and a compatible type copied, the
 * other fields at their default. The step only does what those rules cannot: derive, rename, restructure,
 * compute from the old record. Decimals arrive as {@code BigDecimal}, timestamps as {@code Instant}, strings as
 * {@code CharSequence} (use {@code String.valueOf}).
 *
 * <p>A version step without a registered upcaster is done by those rules alone, at no cost (see
 * {@link UpcasterChain}). Steps must be pure: no clock, no I/O, the same output for the same input, forever.
 */
public record Upcaster(String recordName, int fromVersion, Step step) {

    public Upcaster {
        Objects.requireNonNull(recordName, "recordName");
        Objects.requireNonNull(step, "step");
        if (fromVersion < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + fromVersion);
        }
    }

    /** The work of one step: read {@code previous}, complete {@code next}. */
    @FunctionalInterface
    public interface Step {
        void apply(GenericRecord previous, GenericRecord next);
    }

    /** The symbol {@code symbol} of the enum in field {@code field} of {@code record} (which may be a nullable union). */
    public static GenericData.EnumSymbol enumSymbol(GenericRecord record, String field, String symbol) {
        Schema schema = record.getSchema().getField(field).schema();
        if (schema.getType() == Schema.Type.UNION) {
            schema = schema.getTypes().stream().filter(type -> type.getType() == Schema.Type.ENUM).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("field " + field + " holds no enum"));
        }
        if (!schema.hasEnumSymbol(symbol)) {
            throw new IllegalArgumentException(symbol + " is not a symbol of " + schema.getFullName());
        }
        return new GenericData.EnumSymbol(schema, symbol);
    }
}
