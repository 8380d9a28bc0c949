package dev.eventbank.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is validated by docker-compose itself
 * and checked to publish the same ports as the local stack. CI installs docker-compose (compose v1);
 * without it the test is skipped.
 */
class DockerComposeFileTest {

    private static final Path HOME = Path.of(System.getProperty("eventbank.home", "..")).toAbsolutePath().normalize();

    @Test
    void shouldBeAValidComposeFileWithTheLocalStackPorts() throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed");

        // when
        Process config = new ProcessBuilder("docker-compose", "-f", HOME.resolve("docker-compose.yml").toString(), "config")
                .redirectErrorStream(true).start();
        String output = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(config.waitFor(60, TimeUnit.SECONDS));

        // then
        assertEquals(0, config.exitValue(), output);
        StackPorts ports = StackPorts.defaults();
        for (int port : List.of(ports.kafka(), ports.registry(), ports.command(), ports.query(), ports.projection())) {
            assertTrue(output.contains("published: " + port) || output.contains(port + ":" + port), "port " + port + " in\n" + output);
        }
        for (String service : List.of("kafka:", "schema-registry:", "command-service:", "projection-service:", "query-service:")) {
            assertTrue(output.contains(service), service + " in\n" + output);
        }
        // issue 15: the services and the registry check Keycloak's tokens; the registry's writers have passwords
        assertTrue(output.contains("keycloak:") && output.contains("--import-realm"), output);
        assertEquals(4, count(output, "MICRONAUT_SECURITY_TOKEN_JWT_SIGNATURES_JWKS_KEYCLOAK_URL: "
                + "http://keycloak:8080/realms/eventbank/protocol/openid-connect/certs"), output);
        assertEquals(3, count(output, "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: "), output);
        assertTrue(Files.isRegularFile(HOME.resolve("docker/keycloak/eventbank-realm.json")));
        // and Kafka requires SASL on every listener, authorizes with ACLs (no ACL, no access), and every client of it
        // (the registry and the three services) logs in with its own SCRAM principal after kafka-setup made them
        assertTrue(output.contains("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT,"
                + "CONTROLLER:SASL_PLAINTEXT"), output);
        assertTrue(output.contains("KAFKA_AUTHORIZER_CLASS_NAME: org.apache.kafka.metadata.authorizer.StandardAuthorizer"), output);
        assertTrue(output.contains("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND: 'false'")
                || output.contains("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND: \"false\""), output);
        for (String principal : List.of("schema-registry", "command-service", "projection-service", "query-service")) {
            assertEquals(1, count(output, "required username=\"" + principal + "\""), principal + " in\n" + output);
        }
        assertEquals(4, count(output, "KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT"), output);
        assertEquals(4, count(output, "condition: service_completed_successfully"), output);
        assertTrue(output.contains("/setup.sh"), output);
    }

    @Test
    void shouldDefineARealmWhoseTokensCarryTheRolesAndAudienceTheServicesCheck() throws Exception {
        // given: what Keycloak imports at start (it cannot run here)
        JsonNode realm = new ObjectMapper().readTree(HOME.resolve("docker/keycloak/eventbank-realm.json").toFile());

        // then: the four roles, the roles claim and the audience in the scope both clients use by default
        assertEquals("eventbank", realm.path("realm").asText());
        List<String> roles = new ArrayList<>();
        realm.path("roles").path("realm").forEach(role -> roles.add(role.path("name").asText()));
        assertEquals(List.of("customer", "teller", "auditor", "operator"), roles);
        JsonNode scope = realm.path("clientScopes").get(0);
        Map<String, JsonNode> mappers = new HashMap<>();
        scope.path("protocolMappers").forEach(mapper -> mappers.put(mapper.path("protocolMapper").asText(), mapper.path("config")));
        assertEquals("roles", mappers.get("oidc-usermodel-realm-role-mapper").path("claim.name").asText());
        assertEquals("true", mappers.get("oidc-usermodel-realm-role-mapper").path("access.token.claim").asText());
        assertEquals("eventbank", mappers.get("oidc-audience-mapper").path("included.custom.audience").asText());
        assertTrue(mappers.containsKey("oidc-sub-mapper"), "the customer id is the token's sub");
        realm.path("clients").forEach(client -> assertTrue(client.path("defaultClientScopes").toString()
                .contains(scope.path("name").asText()), client.toString()));
        List<String> userRoles = new ArrayList<>();
        realm.path("users").forEach(user -> user.path("realmRoles").forEach(role -> userRoles.add(role.asText())));
        assertTrue(userRoles.containsAll(roles), userRoles.toString());
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    private static boolean onPath(String command) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
