// An example consumer of bank-account-events written by another team: plain kafkajs plus Confluent's wire
// format through the schema registry, no eventbank code. Prints one line per event:
//   <aggregateId> v<version> <eventType> <payload as JSON>
// and with TOPIC=bank-account-state (or bank-account-snapshots) one line per record: <key> v<version> <record as JSON>
// Environment: KAFKA_BOOTSTRAP_SERVERS (localhost:9092), SCHEMA_REGISTRY_URL (http://localhost:8081),
// TOPIC (bank-account-events), GROUP_ID (a fresh one per run, so it reads from the start),
// EXIT_AFTER_IDLE_MS (after the first event, stop once this long passes without another; 0 = run until Ctrl-C),
// KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (SASL/SCRAM-SHA-512; our brokers refuse clients without a principal:
// bin/local-stack's reader principal has its password in .local-stack-data/security/kafka-credentials.properties).
const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const fzstd = require('fzstd');
const avro = require('avsc');

// the topic is zstd-compressed and kafkajs ships no zstd codec: a pure-JS decompressor is all a consumer needs
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  async compress() {
    throw new Error('this example only consumes');
  },
  async decompress(buffer) {
    return Buffer.from(fzstd.decompress(buffer));
  },
});

const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS || 'localhost:9092').split(',');
const registryUrl = process.env.SCHEMA_REGISTRY_URL || 'http://localhost:8081';
const topic = process.env.TOPIC || 'bank-account-events';
const groupId = process.env.GROUP_ID || `node-consumer-${process.pid}-${Date.now()}`;
const exitAfterIdleMs = Number(process.env.EXIT_AFTER_IDLE_MS || 0);
const sasl = process.env.KAFKA_SASL_USERNAME
  ? { mechanism: 'scram-sha-512', username: process.env.KAFKA_SASL_USERNAME, password: process.env.KAFKA_SASL_PASSWORD || '' }
  : undefined;

// avsc leaves Avro's logical types to the reader: without these, a timestamp-millis arrives as a number of
// milliseconds and a decimal as the bytes of its unscaled two's-complement integer. Each follows its schema
// (the decimals' scale is 4 in every contract today, but it is the writer's schema that says so).
class TimestampMillis extends avro.types.LogicalType {
  _fromValue(millis) {
    return new Date(millis).toISOString();
  }
  _toValue(value) {
    return typeof value === 'string' ? Date.parse(value) : value;
  }
  _resolve(type) {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return this._fromValue;
    return undefined;
  }
}

class Decimal extends avro.types.LogicalType {
  constructor(schema, opts) {
    super(schema, opts);
    this.scale = schema.scale || 0;
  }
  _fromValue(buffer) {
    let value = 0n;
    for (const byte of buffer) value = (value << 8n) | BigInt(byte);
    if (buffer.length > 0 && buffer[0] & 0x80) value -= 1n << BigInt(buffer.length * 8);
    if (this.scale === 0) return value.toString();
    const negative = value < 0n;
    const digits = (negative ? -value : value).toString().padStart(this.scale + 1, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`;
  }
  _toValue() {
    throw new Error('this example only consumes');
  }
  _resolve(type) {
    // plain bytes are read at this scale (Avro's resolution), a decimal only at its own
    if (avro.Type.isType(type, 'bytes') || (avro.Type.isType(type, 'logical:decimal') && type.scale === this.scale)) {
      return (buffer) => this._fromValue(buffer);
    }
    return undefined;
  }
}

// A record that is not in Confluent's wire format, or whose schema id the registry says it does not hold (404, Confluent's
// 40403 "Schema ... not found"), cannot be decoded however often it is tried. Anything else the registry answers (a
// 5xx, a 429, a 401 or 403, a proxy's page) says nothing about the record: it is retried, never skipped.
function undecodable(error) {
  if (error.name === 'ConfluentSchemaRegistryArgumentError') return true;
  return error.status === 404 && /schema .*not found/i.test(error.message || '');
}

// with avsc's default wrapUnions 'auto', a union of several records arrives wrapped: {"<full name>": {...}}
function unwrap(union) {
  const keys = Object.keys(union || {});
  return keys.length === 1 && keys[0].includes('.') ? union[keys[0]] : union;
}

async function main() {
  const kafka = new Kafka({ clientId: 'eventbank-node-consumer', brokers, sasl, logLevel: logLevel.WARN });
  const registry = new SchemaRegistry({ host: registryUrl }, {
    [SchemaType.AVRO]: { logicalTypes: { 'timestamp-millis': TimestampMillis, decimal: Decimal } },
  });
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false, // read_committed: only committed events
    // kafkajs's defaults (1 MB per partition, a 30 s session) let a batch of a long log take longer to decode on a
    // busy machine than the session lasts ("coordinator is not aware of this member", seen at a load average of 12):
    // smaller fetches and Kafka's own 45 s session keep a consumer of the whole log in its group
    maxBytesPerPartition: 256 * 1024,
    sessionTimeout: 45000,
  });
  let idleTimer = null;
  const stop = async (code) => {
    await consumer.disconnect().catch(() => {});
    process.exit(code);
  };
  const armIdleTimer = () => {
    if (!exitAfterIdleMs) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop(0), exitAfterIdleMs);
  };

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    console.error(`node-consumer: consumer crashed: ${payload.error && payload.error.stack}`);
    if (!payload.restart) stop(1);
  });
  // an empty topic sends no message to arm the timer: it starts when the consumer has joined its group
  consumer.on(consumer.events.GROUP_JOIN, () => armIdleTimer());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const key = message.key && message.key.toString();
      if (message.value === null) {
        // a compacted read-model topic's tombstone (TOPIC=bank-account-state): the key's record was removed
        console.log(`${key} removed`);
      } else {
        // the writer's schema comes from the registry by the id in the message; avsc resolves it
        let value;
        try {
          value = await registry.decode(message.value);
        } catch (error) {
          if (!undecodable(error)) throw error; // the registry failed (down, 5xx, 429, 401): kafkajs retries the message
          // the record itself cannot be decoded: skipped, or one bad record would stop this consumer for good
          console.error(`node-consumer: skipped an undecodable record partition=${partition} offset=${message.offset}: ${error.message}`);
          armIdleTimer();
          return;
        }
        if (value.aggregateId !== undefined) {
          console.log(`${value.aggregateId} v${value.version} ${value.eventType} ${JSON.stringify(unwrap(value.payload))}`);
        } else {
          // a read model (TOPIC=bank-account-state: AccountState, bank-account-snapshots: AccountSnapshot)
          console.log(`${key} v${value.version} ${JSON.stringify(value)}`);
        }
      }
      armIdleTimer();
    },
  });
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
}

main().catch((error) => {
  console.error(`node-consumer failed: ${error.stack || error}`);
  process.exit(1);
});
