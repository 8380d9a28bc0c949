package dev.eventbank.support.problem;

import io.micronaut.http.HttpStatus;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one problem catalogue: every type is documented in docs/problems.md, framework statuses map to it. */
class ProblemCatalogueTest {

    @Test
    void shouldDocumentEveryTypeOfTheCatalogue() throws Exception {
        // given
        String docs = Files.readString(Path.of("..", "docs", "problems.md"));
        List<String> types = new ArrayList<>();
        for (Field field : ProblemTypes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                types.add((String) field.get(null));
            }
        }
        // then
        assertTrue(types.size() >= 15, types.toString());
        for (String type : types) {
            assertTrue(type.startsWith("/problems/"), type);
            assertTrue(docs.contains("`" + type + "`"), "docs/problems.md does not document " + type);
        }
    }

    @Test
    void shouldTypeFrameworkErrorsAndRejectionCodesFromTheCatalogue() {
        assertEquals(ProblemTypes.URI_TOO_LONG, ProblemTypes.forStatus(HttpStatus.REQUEST_URI_TOO_LONG));
        assertEquals(ProblemTypes.HEADER_FIELDS_TOO_LARGE, ProblemTypes.forStatus(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE));
        assertEquals(ProblemTypes.PAYLOAD_TOO_LARGE, ProblemTypes.forStatus(HttpStatus.REQUEST_ENTITY_TOO_LARGE));
        assertEquals(ProblemTypes.INVALID_REQUEST, ProblemTypes.forStatus(HttpStatus.BAD_REQUEST));
        assertEquals(ProblemTypes.SERVER_ERROR, ProblemTypes.forStatus(HttpStatus.INTERNAL_SERVER_ERROR));
        assertEquals("/problems/insufficient-funds", ProblemTypes.ofCode("INSUFFICIENT_FUNDS"));
    }
}
