#!/usr/bin/env bash
# docker-compose's one-shot Kafka set-up, run as the super user (admin) once the broker answers: the services'
# SCRAM users and the ACLs. Idempotent: safe on every `docker-compose up`. Topics are created by the services
# themselves, each its own (compose starts the projection after the command service, the query service after the
# projection, so the topics each one reads exist when it starts).
# The ACLs are the same as bin/local-stack's (local-kafka's KafkaPrincipals; KafkaPrincipalsTest checks that every
# `allow` line below is one of them and that none is missing). Only command-service may write bank-account-events.
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP:-kafka:19092}"
bin=/opt/kafka/bin
admin_config=/tmp/admin.properties
cat > "$admin_config" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPS

user() { # user NAME PASSWORD
  "$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --alter \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]" --entity-type users --entity-name "$1"
}
allow() { # allow PRINCIPAL topic|group|transactional-id|cluster LITERAL|PREFIXED NAME OPERATION...
  acl --allow-principal "$@"
}
deny() { # deny PRINCIPAL topic|group|transactional-id|cluster LITERAL|PREFIXED NAME OPERATION... (outweighs any allow)
  acl --deny-principal "$@"
}
acl() { # acl --allow-principal|--deny-principal PRINCIPAL TYPE PATTERN NAME OPERATION...
  local permission="$1" principal="$2" type="$3" pattern="$4" name="$5"; shift 5
  local resource
  case "$type" in
    topic) resource=(--topic "$name") ;;
    group) resource=(--group "$name") ;;
    transactional-id) resource=(--transactional-id "$name") ;;
    cluster) resource=(--cluster) ;;
  esac
  local operations=()
  for operation in "$@"; do operations+=(--operation "$operation"); done
  "$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$admin_config" --add --force \
    "$permission" "User:$principal" --resource-pattern-type "$pattern" "${resource[@]}" "${operations[@]}" >/dev/null
}

user command-service "$KAFKA_COMMAND_SERVICE_PASSWORD"
user projection-service "$KAFKA_PROJECTION_SERVICE_PASSWORD"
user query-service "$KAFKA_QUERY_SERVICE_PASSWORD"
user schema-registry "$KAFKA_SCHEMA_REGISTRY_PASSWORD"
user reader "$KAFKA_READER_PASSWORD"

# the write side
allow command-service topic LITERAL bank-account-events Read Write Describe Create DescribeConfigs
allow command-service topic LITERAL bank-account-aggregates Read Write Describe Create DescribeConfigs
allow command-service topic LITERAL bank-account-command-outcomes Read Write Describe Create DescribeConfigs
allow command-service topic LITERAL bank-account-number-reservations Read Write Describe Create DescribeConfigs
allow command-service group PREFIXED bank-account-command-writers Read Describe
allow command-service transactional-id PREFIXED bank-account-command-writers Write Describe

# the projection
allow projection-service topic LITERAL bank-account-events Read Describe DescribeConfigs
allow projection-service topic LITERAL bank-account-state Read Write Describe Create DescribeConfigs
allow projection-service topic LITERAL bank-account-snapshots Read Write Describe Create DescribeConfigs
allow projection-service topic LITERAL bank-account-events-dlq Read Write Describe Create DescribeConfigs
allow projection-service topic LITERAL bank-totals Read Write Describe Create DescribeConfigs
allow projection-service topic LITERAL bank-projection-generations Read Write Describe Create DescribeConfigs
allow projection-service topic PREFIXED bank-account-projection All
allow projection-service group PREFIXED bank-account-projection Read Describe Delete
allow projection-service transactional-id PREFIXED bank-account-projection Write Describe

# the query view
allow query-service topic LITERAL bank-account-state Read Describe DescribeConfigs
allow query-service topic LITERAL bank-account-events Read Describe DescribeConfigs
allow query-service topic PREFIXED bank-account-query-view All
allow query-service group PREFIXED bank-account-query-view Read Describe Delete
allow query-service transactional-id PREFIXED bank-account-query-view Write Describe

# the registry's store
allow schema-registry topic LITERAL _schemas Read Write Describe Create DescribeConfigs

# other teams: the public topics, any consumer group of theirs
allow reader topic LITERAL bank-account-events Read Describe DescribeConfigs
allow reader topic LITERAL bank-account-state Read Describe DescribeConfigs
allow reader topic LITERAL bank-account-snapshots Read Describe DescribeConfigs
allow reader group LITERAL '*' Read Describe
# ... except the services' own groups: a member of the command writers' group would be sent commands (with the
# callers' tokens), one of the projection's or the query view's could take their partitions or move their offsets
deny reader group PREFIXED bank-account-command-writers All
deny reader group PREFIXED bank-account-projection All
deny reader group PREFIXED bank-account-query-view All

# cluster metadata, every principal
for principal in command-service projection-service query-service schema-registry reader; do
  allow "$principal" cluster LITERAL kafka-cluster Describe DescribeConfigs
done
echo "kafka-setup: users, topics and ACLs in place"
