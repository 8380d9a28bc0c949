package dev.eventbank.bench;

import dev.eventbank.bench.peer.AxonPeer;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The same workload on the peer a Java team would otherwise pick, Axon Framework with its JDBC event store on
 * PostgreSQL ({@link AxonPeer}), driven by the same {@link BankClient} and {@link LoadRun} as our stack, and the
 * ratio of our figures to its figures.
 */
final class PeerSection {

    private PeerSection() {
    }

    static String run(Path benchJar, int accountCount, int[] clients, Duration systemWarmup, Duration warmup, Duration measured,
                      int visibilitySamples, List<LoadRun.Result> ours, Visibility.Figures[] ourVisibility)
            throws Exception {
        System.out.printf("%nbench: peer, starting Axon Framework + PostgreSQL%n");
        StringBuilder out = new StringBuilder();
        try (AxonPeer peer = AxonPeer.start(benchJar, System.out)) {
            BankClient client = new BankClient(peer.commandUrl(), peer.queryUrl(), BenchTokens.forPeer());
            System.out.printf("bench: peer, opening %,d accounts%n", accountCount);
            List<String> accounts = Benchmarks.openAccounts(client, accountCount);
            Map<String, List<Long>> processes = peer.processGroups();
            LoadRun.warmUp(client, systemWarmup, clients, accounts, processes);
            List<LoadRun.Result> results = LoadRun.spreadThenHot(client, clients, warmup, measured, accounts, processes);
            LoadRun.settle(processes);
            Visibility.Figures[] visibility = Benchmarks.visibility(client, accounts, visibilitySamples,
                    Benchmarks.maxClients(clients), measured, null);
            String longHistory = Benchmarks.longHistory(client, accounts.get(0), accounts.get(2), visibilitySamples);

            out.append(String.format("""

                    ## Peer: Axon Framework + PostgreSQL, same workload, same machine

                    %s

                    """, peer.description()));
            out.append(LoadRun.table(results));
            out.append(Benchmarks.visibilityText("the peer's read model", visibility, Benchmarks.maxClients(clients)));
            out.append(longHistory);
            out.append(String.format("Memory after the runs: axon-server %s, PostgreSQL %d MB (all its processes, proportional "
                    + "set size).%n", Benchmarks.residentMemory(Map.of("JVM", peer.pids().get("axon-server"))),
                    peer.postgresMegabytes()));
            if (!ours.isEmpty()) {
                out.append(ratios(ours, results, ourVisibility, visibility));
            }
        }
        return out.toString();
    }

    /** Ours divided by the peer's, run by run: above 1 means more commands/s, or a longer latency, for us. */
    private static String ratios(List<LoadRun.Result> ours, List<LoadRun.Result> peer, Visibility.Figures[] ourVisibility,
                                 Visibility.Figures[] peerVisibility) {
        StringBuilder out = new StringBuilder(String.format("""

                ### Ours as a ratio of the peer's

                Our figures from the load section above divided by the peer's: throughput above 1
                means we did more commands/s; latency below 1 means we answered sooner; CPU per command below 1 means
                our processes used less CPU for each command than the peer's (Axon JVM and PostgreSQL together).

                | workload | clients | throughput, ours / peer | p50 latency, ours / peer | p99 latency, ours / peer | CPU per command, ours / peer |
                |---|---:|---:|---:|---:|---:|
                """));
        for (LoadRun.Result mine : ours) {
            peer.stream().filter(p -> p.scenario().equals(mine.scenario()) && p.clients() == mine.clients()).findFirst()
                    .ifPresent(theirs -> out.append(String.format("| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", mine.scenario(),
                            mine.clients(), mine.perSecond() / theirs.perSecond(), mine.millisAt(50) / theirs.millisAt(50),
                            mine.millisAt(99) / theirs.millisAt(99),
                            mine.systemMillisPerCommand() / theirs.systemMillisPerCommand())));
        }
        if (ourVisibility != null) {
            String[] when = {"1, idle", Benchmarks.maxClients(peer.stream().mapToInt(LoadRun.Result::clients).toArray())
                    + " writing"};
            for (int i = 0; i < when.length; i++) {
                Histogram mine = ourVisibility[i].total();
                Histogram theirs = peerVisibility[i].total();
                if (mine.getTotalCount() > 0 && theirs.getTotalCount() > 0) {
                    out.append(String.format("| command to visible in reads | %s | | %.2f | %.2f | |%n", when[i],
                            mine.getValueAtPercentile(50) / (double) theirs.getValueAtPercentile(50),
                            mine.getValueAtPercentile(99) / (double) theirs.getValueAtPercentile(99)));
                }
            }
        }
        return out.toString();
    }
}
