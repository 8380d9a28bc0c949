package dev.eventbank.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

        // when: after a rebuild whose compilers took 9.7 s
        String line = RebuildBenchmark.cpuLine("second", cpu, new CpuUse(20, Map.of("projection", 24_800.0), 9_700, 0,
                0.9, 0.1, 0, 2));

        // then
        assertEquals("The second rebuild (`bin/rebuild-projections` start to exit): the stack's processes used 21.7 s of "
                + "CPU (broker 3.7, projection 17.9), 3.1 s of it in the JVMs' JIT compiler threads (14 % of it, 32 % of "
                + "theirs in the one before); machine busy 93 % (other processes and interrupts 2 %), steal 0 %."
                + System.lineSeparator(), line);
        // the first has no rebuild before it
        assertEquals("The first rebuild (`bin/rebuild-projections` start to exit): the stack's processes used 21.7 s of "
                + "CPU (broker 3.7, projection 17.9), 3.1 s of it in the JVMs' JIT compiler threads (14 % of it); machine "
                + "busy 93 % (other processes and interrupts 2 %), steal 0 %." + System.lineSeparator(),
                RebuildBenchmark.cpuLine("first", cpu, null));
    }

    @Test
    void shouldSayNothingOfTheCpuWhereProcGaveNothing() {
        assertEquals("", RebuildBenchmark.cpuLine("first", null, null));
    }

    @Test
    void shouldCallARebuildWarmOnlyWhenItsJitCompilersTookUnderATenthOfTheStacksCpu() {
        // the second rebuild of 2026-12-05 at 06:50 UTC: 4.1 s of 15.5 s in the compilers
        assertFalse(RebuildBenchmark.jitQuiet(cpu(15_500, 4_100)));
        assertFalse(RebuildBenchmark.jitQuiet(cpu(15_500, 1_550)));
        assertTrue(RebuildBenchmark.jitQuiet(cpu(15_500, 1_540)));
        // the share is of the whole stack's CPU, not of one process's
        Map<String, Double> groups = new LinkedHashMap<>();
        groups.put("projection", 11_600.0);
        groups.put("broker", 3_900.0);
        assertTrue(RebuildBenchmark.jitQuiet(new CpuUse(15, groups, 1_540, 0, 0.8, 0, 0, 2)));
    }

    @Test
    void shouldStopAfterTheFirstRebuildAfterTheFirstWhoseCompilersWereQuietOrLevelledOrWhenNothingTellsIt() {
        // the first never stops it, quiet or not
        assertFalse(RebuildBenchmark.lastRebuild(0, cpu(15_500, 100), null));
        assertFalse(RebuildBenchmark.lastRebuild(0, null, null));
        // from the second on: stops when quiet, goes on when not
        assertTrue(RebuildBenchmark.lastRebuild(1, cpu(15_500, 1_540), cpu(20_000, 9_000)));
        assertFalse(RebuildBenchmark.lastRebuild(1, cpu(15_500, 1_550), cpu(20_000, 9_000)));
        // the second against the first is always a fall worth waiting on, even a small one
        assertFalse(RebuildBenchmark.lastRebuild(1, cpu(15_500, 4_100), cpu(20_000, 4_200)));
        // from the third on: stops once the compilers' CPU is no less than 90 % of the one before's
        assertFalse(RebuildBenchmark.lastRebuild(2, cpu(15_100, 3_000), cpu(16_800, 4_100)));
        assertTrue(RebuildBenchmark.lastRebuild(4, cpu(14_900, 2_300), cpu(13_100, 2_200)));
        assertTrue(RebuildBenchmark.lastRebuild(3, cpu(13_100, 1_800), cpu(15_100, 2_000)));
        assertFalse(RebuildBenchmark.lastRebuild(3, cpu(13_100, 1_790), cpu(15_100, 2_000)));
        // no figures to tell by: stops at the second, as before the rule
        assertTrue(RebuildBenchmark.lastRebuild(1, null, cpu(20_000, 9_000)));
        assertTrue(RebuildBenchmark.lastRebuild(1, cpu(0, 0), cpu(20_000, 9_000)));
    }

    @Test
    void shouldNameTheLastRebuildWarmWhenItsCompilersWereQuietAndOnlyTheWarmestWhenNoneWas() {
        Map<String, CpuUse> quietThird = new LinkedHashMap<>();
        quietThird.put("first", cpu(20_900, 9_000));
        quietThird.put("second", cpu(15_500, 4_100));
        quietThird.put("third", cpu(14_000, 900));
        assertEquals("The warm rebuild: the third, the first rebuild after the first one whose JIT compiler threads used "
                + "under 10 % of the stack's CPU." + System.lineSeparator(), RebuildBenchmark.warmLine(quietThird));

        // the run of 2026-12-05 at 06:53 UTC: the compilers' CPU levelled at the fifth
        Map<String, CpuUse> levelled = new LinkedHashMap<>();
        levelled.put("first", cpu(24_800, 9_700));
        levelled.put("second", cpu(16_800, 4_100));
        levelled.put("third", cpu(15_100, 3_000));
        levelled.put("fourth", cpu(13_100, 2_200));
        levelled.put("fifth", cpu(14_900, 2_300));
        assertEquals("The warm rebuild: the fifth, the first whose JIT compiler threads' CPU did not fall by a tenth "
                + "or more from the one before (2.3 s against 2.2 s; 15 % of the stack's CPU)." + System.lineSeparator(),
                RebuildBenchmark.warmLine(levelled));

        Map<String, CpuUse> stillFalling = new LinkedHashMap<>();
        stillFalling.put("first", cpu(20_900, 900));
        double compiler = 9_000;
        for (String which : List.of("second", "third", "fourth", "fifth")) {
            stillFalling.put(which, cpu(15_500, compiler));
            compiler *= 0.8;
        }
        assertEquals("No rebuild after the first had its JIT compiler threads use under 10 % of the stack's CPU, nor, "
                + "from the third, their CPU fall by less than a tenth (or rise) from the one before (5 rebuilds, the most it "
                + "runs): none is warm by this rule." + System.lineSeparator(),
                RebuildBenchmark.warmLine(stillFalling));

        Map<String, CpuUse> noFigures = new LinkedHashMap<>();
        noFigures.put("first", null);
        noFigures.put("second", null);
        assertEquals("The warm rebuild: the second, taken as warm without CPU figures to tell (none were read)."
                + System.lineSeparator(), RebuildBenchmark.warmLine(noFigures));
    }

    /** A rebuild's CPU: {@code stackMillis} of the projection service, {@code compilerMillis} of it the JIT's. */
    private static CpuUse cpu(double stackMillis, double compilerMillis) {
        return new CpuUse(15, Map.of("projection", stackMillis), compilerMillis, 0, 0.8, 0, 0, 2);
    }
}
