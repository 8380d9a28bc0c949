package dev.eventbank.registry;

/** Avro schemas for the tests: versions of one record, {@code User}, that differ in compatible and incompatible ways. */
final class Schemas {

    /** {@code User {a: string}} */
    static final String USER_V1 = """
            {"type":"record","name":"User","namespace":"test","fields":[{"name":"a","type":"string"}]}""";

    /** V1 with an added field {@code b} that has a default: compatible both ways. */
    static final String USER_B_WITH_DEFAULT = """
            {"type":"record","name":"User","namespace":"test","fields":[{"name":"a","type":"string"},
             {"name":"b","type":"int","default":0}]}""";

    /** V1 with an added field {@code b} without a default: the new schema cannot read old data (not BACKWARD). */
    static final String USER_B_WITHOUT_DEFAULT = """
            {"type":"record","name":"User","namespace":"test","fields":[{"name":"a","type":"string"},
             {"name":"b","type":"int"}]}""";

    /** V1 without its only field {@code a}: old readers miss {@code a} in new data (not FORWARD). */
    static final String USER_WITHOUT_A = """
            {"type":"record","name":"User","namespace":"test","fields":[]}""";

    /** {@code a} changed from string to int: incompatible both ways. */
    static final String USER_A_AS_INT = """
            {"type":"record","name":"User","namespace":"test","fields":[{"name":"a","type":"int"}]}""";

    private Schemas() {
    }

    /** The body Confluent's API expects: the schema as a JSON string. */
    static String body(String schema) {
        return "{\"schema\":" + quote(schema) + "}";
    }

    static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
