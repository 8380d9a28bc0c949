package dev.eventbank.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RebuildBenchmarkTest {

    @Test
    void shouldTakeTheReadWithTheMedianRateAsTheCeiling() {
        // given: three reads of 1,000,000 events at 500,000, 1,000,000 and 250,000 events/s
        List<RebuildBenchmark.Figure> reads = List.of(new RebuildBenchmark.Figure("read 1", 1_000_000, 2.0),
                new RebuildBenchmark.Figure("read 2", 1_000_000, 1.0),
                new RebuildBenchmark.Figure("read 3", 1_000_000, 4.0));

        // when
        RebuildBenchmark.Figure ceiling = RebuildBenchmark.median(reads, "ceiling");

        // then: the 500,000 events/s read, under the ceiling's name
        assertEquals(new RebuildBenchmark.Figure("ceiling", 1_000_000, 2.0), ceiling);
    }

    @Test
    void shouldSayWhatCpuARebuildTookAndHowMuchOfItTheJitCompilersHad() {
        // given: 21.66 s of the stack's CPU in 15.04 s, 3.1 s of it in compiler threads, the machine 93 % busy
        Map<String, Double> groups = new LinkedHashMap<>();
        groups.put("broker", 3_740.0);
        groups.put("projection", 17_920.0);
        CpuUse cpu = new CpuUse(15.04, groups, 3_100, 500, 0.93, 0.02, 0.004, 2);

        // when
        String line = RebuildBenchmark.cpuLine("second", cpu);

        // then
        assertEquals("The second rebuild (`bin/rebuild-projections` start to exit, 15.0 s): the stack's processes used "
                + "21.7 s of CPU (broker 3.7, projection 17.9), 3.1 s of it in the JVMs' JIT compiler threads; machine "
                + "busy 93 %, steal 0 %." + System.lineSeparator(), line);
    }

    @Test
    void shouldSayNothingOfTheCpuWhereProcGaveNothing() {
        assertEquals("", RebuildBenchmark.cpuLine("first", null));
    }
}
