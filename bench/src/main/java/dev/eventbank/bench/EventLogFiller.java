package dev.eventbank.bench;

import dev.eventbank.schemas.AvroDecimals;
import dev.eventbank.schemas.catalog.Topics;
import dev.eventbank.schemas.common.AccountType;
import dev.eventbank.schemas.events.AccountOpened;
import dev.eventbank.schemas.events.BankAccountEvent;
import dev.eventbank.schemas.events.MoneyDeposited;
import dev.eventbank.schemas.events.MoneyWithdrawn;
import dev.eventbank.schemas.serde.AvroSerdes;
import dev.eventbank.schemas.serde.SchemaRegistryClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Writes account histories straight into {@code bank-account-events} (a KafkaProducer and our Avro serializer, the
 * real envelope, versions 1..n per account), so the read side can be measured on histories far longer than the
 * REST API could write in a benchmark's time. The command side never sees these accounts.
 */
final class EventLogFiller {

    private EventLogFiller() {
    }

    /** {@code count} account ids, the same on every run for the same prefix. */
    static List<String> accountIds(String prefix, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> UUID.nameUUIDFromBytes((prefix + i).getBytes(StandardCharsets.UTF_8)).toString())
                .toList();
    }

    /**
     * Produces every account's events 1..{@code perAccount}, interleaved by version as live traffic would be,
     * printing progress every 100,000 events; returns the seconds it took.
     */
    static double fill(Map<String, Object> kafka, SchemaRegistryClient registry, List<String> ids, int perAccount) {
        long total = (long) ids.size() * perAccount;
        Serializer<BankAccountEvent> serializer = AvroSerdes.value(BankAccountEvent.class, registry).serializer();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        long start = System.nanoTime();
        long sent = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaConnection.config(kafka, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024)), new StringSerializer(), new ByteArraySerializer())) {
            for (int version = 1; version <= perAccount; version++) {
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    BankAccountEvent event = event(id, version, t0.plusSeconds(version * 60L + i % 60));
                    producer.send(new ProducerRecord<>(Topics.EVENTS.name(), id, serializer.serialize(Topics.EVENTS.name(), event)),
                            (metadata, error) -> {
                                if (error != null) {
                                    failure.compareAndSet(null, error);
                                }
                            });
                    if (++sent % 100_000 == 0) {
                        System.out.printf("  produced %,d of %,d events (%.0f events/s)%n", sent, total,
                                sent / ((System.nanoTime() - start) / 1e9));
                    }
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing failed: " + failure.get(), failure.get());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Balance 1,000.00 at opening, then deposits of 10.00 and withdrawals of 5.00 in turn. */
    static BankAccountEvent event(String accountId, int version, Instant at) {
        BigDecimal balance = new BigDecimal("1000.00")
                .add(new BigDecimal("10.00").multiply(BigDecimal.valueOf(version / 2)))
                .subtract(new BigDecimal("5.00").multiply(BigDecimal.valueOf((version - 1) / 2)));
        Object payload;
        String type;
        if (version == 1) {
            type = "AccountOpened";
            payload = AccountOpened.newBuilder().setAccountNumber("NL00EVBK" + accountId.substring(0, 10).replace("-", "0"))
                    .setOwner("Bench Owner").setCurrency("EUR").setInitialDeposit(AvroDecimals.toWire(new BigDecimal("1000.00")))
                    .setAccountType(AccountType.CHECKING).build();
        } else if (version % 2 == 0) {
            type = "MoneyDeposited";
            payload = MoneyDeposited.newBuilder().setAmount(AvroDecimals.toWire(new BigDecimal("10.00"))).setCurrency("EUR")
                    .setBalanceAfter(AvroDecimals.toWire(balance)).build();
        } else {
            type = "MoneyWithdrawn";
            payload = MoneyWithdrawn.newBuilder().setAmount(AvroDecimals.toWire(new BigDecimal("5.00"))).setCurrency("EUR")
                    .setBalanceAfter(AvroDecimals.toWire(balance)).build();
        }
        return BankAccountEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateId(accountId)
                .setAggregateType("BankAccount")
                .setVersion(version)
                .setEventType(type)
                .setOccurredAt(at)
                .setCommandId(UUID.randomUUID().toString())
                .setCorrelationId(UUID.randomUUID().toString())
                .setPayload(payload)
                .build();
    }
}
