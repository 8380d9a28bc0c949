package dev.eventbank.support.logging;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MdcScopeTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void shouldPutTheIdsAndRemoveThemAllWhenClosed() {
        // when
        try (MdcScope scope = MdcScope.open().put(MdcScope.CORRELATION_ID, "c-1").put(MdcScope.VERSION, 7L)) {
            // then
            assertEquals("c-1", MDC.get(MdcScope.CORRELATION_ID));
            assertEquals("7", MDC.get(MdcScope.VERSION));
        }
        assertNull(MDC.get(MdcScope.CORRELATION_ID));
        assertNull(MDC.get(MdcScope.VERSION));
    }

    @Test
    void shouldKeepAnEarlierValueWhenTheNewOneIsNullButRemoveItOnClose() {
        // given
        MDC.put(MdcScope.COMMAND_ID, "earlier");

        // when
        MdcScope scope = MdcScope.open().put(MdcScope.COMMAND_ID, null);

        // then
        assertEquals("earlier", MDC.get(MdcScope.COMMAND_ID));
        scope.close();
        assertNull(MDC.get(MdcScope.COMMAND_ID));
    }
}
