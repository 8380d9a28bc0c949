package dev.eventbank.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadRunTest {

    @Test
    void aRowShowsTheCpuPerCommandAnsweredByProcessAndTheMachine() {
        Histogram latency = new Histogram(3);
        latency.recordValue(2_000);
        Map<String, Double> groups = new LinkedHashMap<>();
        groups.put("broker", 300.0);
        groups.put("command", 500.0);
        // 200 commands answered in a 1 s period: 800 ms of the system's CPU is 4 ms each, 40 ms of it the JIT's
        CpuUse cpu = new CpuUse(1.0, groups, 40.0, 100.0, 0.97, 0.05, 0.02, 2);
        LoadRun.Result result = new LoadRun.Result("spread", 16, 190, 0, 1.0, latency, 200, cpu);

        String table = LoadRun.table(List.of(result));

        assertTrue(table.contains("| 4.00 | broker 1.50, command 2.50 (JIT compilers 0.20) | 0.50 | 97 (rest 5, steal 2) |"), table);
        assertTrue(LoadRun.cpuColumns().contains("100 % meaning"), LoadRun.cpuColumns());
    }

    @Test
    void aRowWithoutCpuReadingsSaysSo() {
        Histogram latency = new Histogram(3);
        latency.recordValue(2_000);

        String table = LoadRun.table(List.of(new LoadRun.Result("hot account", 1, 10, 0, 1.0, latency, 10, null)));

        assertTrue(table.contains("| n/a | n/a | n/a | n/a |"), table);
    }

    @Test
    void theWarmUpCoversEveryClientCountOfTheRunsLargestFirst() {
        assertArrayEquals(new int[] {64, 16, 1}, LoadRun.warmUpCounts(new int[] {1, 16, 64}));
        assertArrayEquals(new int[] {32, 1}, LoadRun.warmUpCounts(new int[] {32, 1, 32}));
        assertArrayEquals(new int[] {4, 1}, LoadRun.warmUpCounts(new int[] {1, 4}));
    }
}
