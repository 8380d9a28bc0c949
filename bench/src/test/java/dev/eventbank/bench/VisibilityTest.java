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
        String described = new Visibility.Figures(total, hops, 0).describe();

        // then
        assertEquals("p50 2.0 ms, p99 4.0 ms (4 samples); in a second, observed pass (2 samples): readable in "
                + "`bank-account-events` p50 0.5 ms, p99 0.7 ms; readable in `bank-account-state` p50 90.0 ms, p99 110.0 ms",
                described);
        assertEquals("p50 2.0 ms, p99 4.0 ms (4 samples)", new Visibility.Figures(total, Map.of(), 0).describe());
    }

    @Test
    void shouldSayHowManyPairsWarmedTheReadPath() {
        // given: an idle measurement after 5,123 unmeasured pairs, and one under load
        Visibility.Figures idle = new Visibility.Figures(histogram(1000), Map.of(), 5_123);
        Visibility.Figures loaded = new Visibility.Figures(histogram(9000), Map.of(), 0);

        // when
        String text = Benchmarks.visibilityText("the query service", new Visibility.Figures[] {idle, loaded}, 64);

        // then
        assertEquals(String.format("%nCommand 2xx to visible in the query service (`minVersion` read by the measuring "
                + "client, one deposit at a time, after 20 s of the same pairs unmeasured, which warm the read path: "
                + "5,123 pairs here): idle, p50 1.0 ms, p99 1.0 ms (1 samples); while 64 other clients write, p50 9.0 ms, "
                + "p99 9.0 ms (1 samples).%n%n"), text);
    }

    private static Histogram histogram(long... microseconds) {
        Histogram histogram = new Histogram(3);
        for (long value : microseconds) {
            histogram.recordValue(value);
        }
        return histogram;
    }
}
