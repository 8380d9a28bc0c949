package dev.eventbank.localkafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Who may do what on our broker: one principal per service with the least it needs, and {@value #READER} for other
 * teams' consumers of the public topics. Only {@value #COMMAND_SERVICE} may write {@code bank-account-events}; every
 * other principal reads it at most. The same list is in {@code docker/kafka/setup.sh} for docker-compose
 * ({@code KafkaPrincipalsTest} checks the two agree) and in the README's Security section.
 *
 * <p>Names are the topic catalogue's ({@code dev.eventbank.schemas.catalog.Topics}) and the services' default
 * application ids and prefixes; a deployment that changes those must change its ACLs too.
 */
public final class KafkaPrincipals {

    public static final String COMMAND_SERVICE = "command-service";
    public static final String PROJECTION_SERVICE = "projection-service";
    public static final String QUERY_SERVICE = "query-service";
    public static final String SCHEMA_REGISTRY = "schema-registry";
    /** Other teams' consumers: read the public topics, nothing else. */
    public static final String READER = "reader";

    /**
     * The services' consumer groups (prefixes: the projection's rebuild generations and Kafka Streams' groups extend
     * its application id), which no other principal may use: {@value #READER} is denied them.
     */
    public static final List<String> SERVICE_GROUPS = List.of("bank-account-command-writers", "bank-account-projection",
            "bank-account-query-view");

    /** Every principal of this list, in the order above. */
    public static final List<String> ALL = List.of(COMMAND_SERVICE, PROJECTION_SERVICE, QUERY_SERVICE, SCHEMA_REGISTRY, READER);

    private static final List<AclOperation> OWN = List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE,
            AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
    private static final List<AclOperation> READ = List.of(AclOperation.READ, AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS);

    private KafkaPrincipals() {
    }

    /** The ACLs of every principal: what {@link #apply} creates. */
    public static List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        // the write side: the event log and its own compacted topics; its writers' group and transactional ids
        for (String topic : List.of("bank-account-events", "bank-account-aggregates", "bank-account-command-outcomes",
                "bank-account-number-reservations")) {
            allow(acls, COMMAND_SERVICE, ResourceType.TOPIC, topic, PatternType.LITERAL, OWN);
        }
        allow(acls, COMMAND_SERVICE, ResourceType.GROUP, "bank-account-command-writers", PatternType.PREFIXED,
                List.of(AclOperation.READ, AclOperation.DESCRIBE));
        allow(acls, COMMAND_SERVICE, ResourceType.TRANSACTIONAL_ID, "bank-account-command-writers", PatternType.PREFIXED,
                List.of(AclOperation.WRITE, AclOperation.DESCRIBE));

        // the projection: reads the event log, owns the read-model topics, its Streams apps (every generation's
        // application id starts with its base id), their internal topics, groups and transactional ids
        allow(acls, PROJECTION_SERVICE, ResourceType.TOPIC, "bank-account-events", PatternType.LITERAL, READ);
        for (String topic : List.of("bank-account-state", "bank-account-snapshots", "bank-account-events-dlq",
                "bank-totals", "bank-projection-generations")) {
            allow(acls, PROJECTION_SERVICE, ResourceType.TOPIC, topic, PatternType.LITERAL, OWN);
        }
        streamsApp(acls, PROJECTION_SERVICE, "bank-account-projection");

        // the query view: reads the state topic into its store, and the event log with no group (its fresh fold)
        allow(acls, QUERY_SERVICE, ResourceType.TOPIC, "bank-account-state", PatternType.LITERAL, READ);
        allow(acls, QUERY_SERVICE, ResourceType.TOPIC, "bank-account-events", PatternType.LITERAL, READ);
        streamsApp(acls, QUERY_SERVICE, "bank-account-query-view");

        // the registry's store
        allow(acls, SCHEMA_REGISTRY, ResourceType.TOPIC, "_schemas", PatternType.LITERAL, OWN);

        // other teams: the public topics, any consumer group of theirs
        for (String topic : List.of("bank-account-events", "bank-account-state", "bank-account-snapshots")) {
            allow(acls, READER, ResourceType.TOPIC, topic, PatternType.LITERAL, READ);
        }
        allow(acls, READER, ResourceType.GROUP, "*", PatternType.LITERAL, List.of(AclOperation.READ, AclOperation.DESCRIBE));
        // ... but never one of the services' groups (a DENY outweighs any ALLOW). Joining the command writers' group
        // would make its member an owner of event-log partitions, and every command instance would forward the
        // commands of those partitions, with the callers' bearer tokens, to the URL in its client id; joining or
        // committing for the projection's or the query view's group would take partitions from them or move their
        // offsets, so that events are skipped in the read models
        for (String group : SERVICE_GROUPS) {
            deny(acls, READER, ResourceType.GROUP, group, PatternType.PREFIXED, List.of(AclOperation.ALL));
        }

        // cluster metadata (describeCluster, the Streams apps' admin clients): every principal
        for (String principal : ALL) {
            allow(acls, principal, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL,
                    List.of(AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS));
        }
        return List.copyOf(acls);
    }

    /**
     * An exactly-once Kafka Streams app whose application ids start with {@code applicationIdPrefix}: its internal
     * topics (changelogs, repartition topics: created, written, deleted with a retired generation), its consumer
     * groups and its transactional ids.
     */
    private static void streamsApp(List<AclBinding> acls, String principal, String applicationIdPrefix) {
        allow(acls, principal, ResourceType.TOPIC, applicationIdPrefix, PatternType.PREFIXED, List.of(AclOperation.ALL));
        allow(acls, principal, ResourceType.GROUP, applicationIdPrefix, PatternType.PREFIXED,
                List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE));
        allow(acls, principal, ResourceType.TRANSACTIONAL_ID, applicationIdPrefix, PatternType.PREFIXED,
                List.of(AclOperation.WRITE, AclOperation.DESCRIBE));
    }

    private static void allow(List<AclBinding> acls, String principal, ResourceType type, String name,
                              PatternType pattern, List<AclOperation> operations) {
        add(acls, principal, type, name, pattern, operations, AclPermissionType.ALLOW);
    }

    private static void deny(List<AclBinding> acls, String principal, ResourceType type, String name,
                             PatternType pattern, List<AclOperation> operations) {
        add(acls, principal, type, name, pattern, operations, AclPermissionType.DENY);
    }

    private static void add(List<AclBinding> acls, String principal, ResourceType type, String name,
                            PatternType pattern, List<AclOperation> operations, AclPermissionType permission) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + principal, "*", operation, permission)));
        }
    }

    /**
     * Creates (or updates) the SCRAM credentials of every principal in {@code credentials} and creates
     * {@link #acls()}; both are idempotent, so every start of the local stack runs it.
     *
     * @param admin an admin client of the super user
     * @throws IllegalStateException when the broker refuses or does not answer within 30 s
     */
    public static void apply(Admin admin, KafkaCredentials credentials) {
        List<UserScramCredentialUpsertion> users = new ArrayList<>();
        for (Map.Entry<String, String> user : credentials.scramUsers().entrySet()) {
            users.add(new UserScramCredentialUpsertion(user.getKey(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), user.getValue()));
        }
        try {
            admin.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls()).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not set up the Kafka principals and ACLs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the Kafka principals", e);
        }
    }
}
