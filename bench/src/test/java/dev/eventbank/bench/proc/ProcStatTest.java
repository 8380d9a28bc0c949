package dev.eventbank.bench.proc;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcStatTest {

    @Test
    void readsParentAndTimesAfterACommandNameHoldingSpacesAndParentheses() {
        // a real line's layout: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime ...
        long[] fields = ProcStat.parseStat("4242 (postgres: a) b (c)) S 77 4242 4242 0 -1 4194560 900 0 3 0 "
                + "1500 250 40 7 20 0 1 0 193781 3133440 362 18446744073709551615 0\n");

        assertEquals(77, fields[1]);
        assertEquals(1500, fields[11]);
        assertEquals(250, fields[12]);
        assertEquals(40, fields[13]);
        assertEquals(7, fields[14]);
    }

    @Test
    void countsIrqAndSoftirqAsBusyIowaitAsIdleAndStealApart() {
        ProcStat.Machine machine = ProcStat.parseMachine(List.of(
                "cpu  100 5 20 1000 30 2 3 40 9 0",
                "cpu0 50 2 10 500 15 1 2 20 4 0",
                "cpu1 50 3 10 500 15 1 1 20 5 0",
                "intr 12345"));

        assertEquals(100 + 5 + 20 + 2 + 3, machine.busy());
        assertEquals(1000 + 30, machine.idle());
        assertEquals(40, machine.steal());
        assertEquals(2, machine.cpus());
    }

    @Test
    void aProcessTreeHoldsAtLeastItsRootsOwnTime() {
        long self = ProcessHandle.current().pid();
        Map<Long, List<Long>> children = ProcStat.childrenByParent();

        assertTrue(ProcStat.treeTicks(self, children) >= ProcStat.selfTicks() - 1,
                "the tree adds children's time to the root's own");
        assertEquals(0, ProcStat.treeTicks(Long.MAX_VALUE, children), "no such process: nothing used");
        assertTrue(ProcStat.clockTicksPerSecond() > 0);
    }
}
