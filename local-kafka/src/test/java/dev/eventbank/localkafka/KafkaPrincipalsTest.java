package dev.eventbank.localkafka;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ACLs of bin/local-stack and docker-compose are one list, and only the command service writes the event log. */
class KafkaPrincipalsTest {

    @Test
    void onlyTheCommandServiceMayWriteTheEventLog() {
        List<String> writers = KafkaPrincipals.acls().stream()
                .filter(acl -> acl.pattern().name().equals("bank-account-events")
                        || acl.pattern().patternType().name().equals("PREFIXED") && "bank-account-events".startsWith(acl.pattern().name()))
                .filter(acl -> acl.entry().permissionType() == AclPermissionType.ALLOW)
                .filter(acl -> acl.entry().operation() == AclOperation.WRITE || acl.entry().operation() == AclOperation.ALL)
                .map(acl -> acl.entry().principal()).distinct().toList();
        assertEquals(List.of("User:" + KafkaPrincipals.COMMAND_SERVICE), writers);
    }

    @Test
    void dockerComposeSetsUpTheSameAclsAsTheLocalStack() throws Exception {
        Path script = Path.of("..", "docker", "kafka", "setup.sh");
        Set<String> fromScript = new TreeSet<>();
        List<String> principalsInLoop = new ArrayList<>();
        for (String line : Files.readAllLines(script)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("for principal in ")) {
                principalsInLoop.addAll(List.of(trimmed.substring("for principal in ".length(), trimmed.indexOf(';')).split(" ")));
            } else if (trimmed.startsWith("allow ") || trimmed.startsWith("deny ")) {
                String[] words = trimmed.replace("'", "").split("\\s+");
                List<String> principals = words[1].equals("\"$principal\"") ? principalsInLoop : List.of(words[1]);
                for (String principal : principals) {
                    for (int i = 5; i < words.length; i++) {
                        fromScript.add(key(words[0], principal, words[2], words[3], words[4], words[i]));
                    }
                }
            }
        }
        Set<String> fromCode = new TreeSet<>();
        for (AclBinding acl : KafkaPrincipals.acls()) {
            fromCode.add(key(acl.entry().permissionType().name(), acl.entry().principal().substring("User:".length()),
                    acl.pattern().resourceType().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    acl.pattern().patternType().name(), acl.pattern().name(), acl.entry().operation().name()));
        }
        assertFalse(fromCode.isEmpty());
        assertEquals(fromCode, fromScript, "docker/kafka/setup.sh and KafkaPrincipals.acls() differ");
        assertTrue(fromScript.stream().noneMatch(key -> key.contains(" admin ")));
    }

    private static String key(String permission, String principal, String type, String pattern, String name, String operation) {
        return String.join(" ", permission.toUpperCase(Locale.ROOT), principal, type, pattern, name,
                operation.toUpperCase(Locale.ROOT).replace("_", "").replace("DESCRIBECONFIGS", "DESCRIBE_CONFIGS"));
    }
}
