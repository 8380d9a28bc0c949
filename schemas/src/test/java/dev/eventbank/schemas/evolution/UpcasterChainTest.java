package dev.eventbank.schemas.evolution;

import dev.eventbank.schemas.events.BankAccountEvent;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chain on a made-up record, {@code test.Thing}, in three versions (v1 and v2 released in the test resources'
 * history/Box): v2 gained {@code upper}, computed from {@code name}; v3 renamed {@code name} to {@code displayName}
 * and gained {@code length} with a default.
 */
class UpcasterChainTest {

    private static final Schema V3 = new Schema.Parser().parse("""
            {"type":"record","name":"Box","namespace":"test","fields":[
             {"name":"id","type":"string"},
             {"name":"item","type":[{"type":"record","name":"Thing","eventbank.version":3,"fields":[
               {"name":"displayName","type":"string"},{"name":"upper","type":"string"},
               {"name":"length","type":"int","default":0}]}]}]}""");

    private static final List<Upcaster> UPCASTERS = List.of(
            new Upcaster("test.Thing", 1, (v1, v2) -> v2.put("upper", String.valueOf(v1.get("name")).toUpperCase())),
            new Upcaster("test.Thing", 2, (v2, v3) -> {
                v3.put("displayName", String.valueOf(v2.get("name")));
                v3.put("length", String.valueOf(v2.get("name")).length());
            }));

    private final UpcasterChain chain = new UpcasterChain(V3, UPCASTERS);

    @Test
    void shouldRunEveryStepFromTheWritersVersionWhenWrittenWithV1() throws IOException {
        // given
        Schema v1 = SchemaHistory.releases("Box").get(0);
        byte[] bytes = write(v1, "ada", null);
        // when
        GenericRecord thing = readUpcast(v1, bytes);
        // then
        assertEquals("ada", thing.get("displayName").toString());
        assertEquals("ADA", thing.get("upper").toString());
        assertEquals(3, thing.get("length"));
    }

    @Test
    void shouldStartAtTheWritersVersionWhenWrittenWithV2() throws IOException {
        // given an upper that v1's upcaster would not have computed
        Schema v2 = SchemaHistory.releases("Box").get(1);
        byte[] bytes = write(v2, "ada", "as written");
        // when
        GenericRecord thing = readUpcast(v2, bytes);
        // then
        assertEquals("ada", thing.get("displayName").toString());
        assertEquals("as written", thing.get("upper").toString());
    }

    @Test
    void shouldPlanNothingWhenTheWriterIsCurrentOrNoUpcasterLiesBetween() {
        // given the event envelope's own chain
        UpcasterChain events = UpcasterChain.forReader(BankAccountEvent.getClassSchema());
        // when / then: current events take the plain resolving path
        assertNull(events.plan(BankAccountEvent.getClassSchema()));
        assertNull(chain.plan(V3));
        assertNull(UpcasterChain.none().plan(SchemaHistory.releases("BankAccountEvent").get(0)));
        // and v1 events need AccountOpened's upcaster only (MoneyDeposited 1 -> 2 is defaults alone)
        UpcasterChain.Plan plan = events.plan(SchemaHistory.releases("BankAccountEvent").get(0));
        assertNotNull(plan);
        assertEquals(List.of("dev.eventbank.schemas.events.AccountOpened"), List.copyOf(plan.records()));
    }

    @Test
    void shouldNameTheFieldWhenAnUpcasterLeavesARequiredFieldEmpty() throws IOException {
        // given a chain whose v2 -> v3 step forgets displayName
        UpcasterChain forgetful = new UpcasterChain(V3, List.of(UPCASTERS.get(0),
                new Upcaster("test.Thing", 2, (v2, v3) -> { })));
        Schema v1 = SchemaHistory.releases("Box").get(0);
        byte[] bytes = write(v1, "ada", null);
        // when
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> forgetful.plan(v1).upcast(bytes, 0, bytes.length));
        // then
        assertTrue(error.getMessage().contains("'displayName'"), error.getMessage());
        assertTrue(error.getMessage().contains("version 3"), error.getMessage());
    }

    private GenericRecord readUpcast(Schema writer, byte[] bytes) throws IOException {
        UpcasterChain.Plan plan = chain.plan(writer);
        byte[] upcast = plan.upcast(bytes, 0, bytes.length);
        GenericRecord box = new GenericDatumReader<GenericRecord>(plan.intermediateSchema(), V3)
                .read(null, DecoderFactory.get().binaryDecoder(upcast, null));
        assertEquals("box-1", box.get("id").toString());
        return (GenericRecord) box.get("item");
    }

    private static byte[] write(Schema box, String name, String upper) throws IOException {
        Schema thingSchema = box.getField("item").schema().getTypes().get(0);
        GenericRecord thing = new GenericData.Record(thingSchema);
        thing.put("name", name);
        if (upper != null) {
            thing.put("upper", upper);
        }
        GenericRecord record = new GenericData.Record(box);
        record.put("id", "box-1");
        record.put("item", thing);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(box).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
