package dev.eventbank.schemas.serde;

/**
 * Confluent's framing of a serialized record: magic byte 0, the schema's global id as a 4-byte big-endian
 * int, then the Avro binary encoding of the value with that schema.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }
}
