package dev.eventbank.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

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
}
