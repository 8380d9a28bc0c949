package dev.eventbank.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VisibilityTest {

    @Test
    void shouldDescribeTheTotalsAndTheObservedPassApart() {
        // given: totals of 4 samples (1 to 4 ms), hops of a second pass of 2 samples
        Histogram total = histogram(1000, 2000, 3000, 4000);
        Map<String, Histogram> hops = new LinkedHashMap<>();
        hops.put("bank-account-events", histogram(500, 700));
        hops.put("bank-account-state", histogram(90_000, 110_000));

        // when
        String described = new Visibility.Figures(total, hops).describe();

        // then
        assertEquals("p50 2.0 ms, p99 4.0 ms (4 samples); in a second, observed pass (2 samples): readable in "
                + "`bank-account-events` p50 0.5 ms, p99 0.7 ms; readable in `bank-account-state` p50 90.0 ms, p99 110.0 ms",
                described);
        assertEquals("p50 2.0 ms, p99 4.0 ms (4 samples)", new Visibility.Figures(total, Map.of()).describe());
    }

    private static Histogram histogram(long... microseconds) {
        Histogram histogram = new Histogram(3);
        for (long value : microseconds) {
            histogram.recordValue(value);
        }
        return histogram;
    }
}
