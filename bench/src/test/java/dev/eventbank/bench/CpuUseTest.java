package dev.eventbank.bench;

import dev.eventbank.bench.proc.ProcStat;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuUseTest {

    @Test
    void theWindowIsTheDifferenceAndTheRestIsWhatNeitherUsed() {
        ProcStat.Snapshot before = new ProcStat.Snapshot(0, Map.of("broker", 100L, "command", 50L), 7, 10,
                new ProcStat.Machine(1000, 5000, 0, 2));
        // one second on 2 CPUs at 100 ticks/s: 200 ticks, of which the broker 60, the command service 40,
        // the load generator 20 and something else 30; 10 stolen; the JIT compilers 12 of the system's 100
        ProcStat.Snapshot after = new ProcStat.Snapshot(1_000_000_000L, Map.of("broker", 160L, "command", 90L), 19, 30,
                new ProcStat.Machine(1150, 5040, 10, 2));

        CpuUse cpu = CpuUse.between(before, after);

        assertEquals(1.0, cpu.seconds(), 1e-9);
        assertEquals(ProcStat.millis(60), cpu.groupMillis().get("broker"), 1e-9);
        assertEquals(ProcStat.millis(100), cpu.systemMillis(), 1e-9);
        assertEquals(ProcStat.millis(12), cpu.compilerMillis(), 1e-9);
        assertEquals(ProcStat.millis(20), cpu.loadGeneratorMillis(), 1e-9);
        assertEquals(150 / 200.0, cpu.machineBusy(), 1e-9);
        assertEquals(30 / 200.0, cpu.restBusy(), 1e-9);
        assertEquals(10 / 200.0, cpu.steal(), 1e-9);
    }
}
