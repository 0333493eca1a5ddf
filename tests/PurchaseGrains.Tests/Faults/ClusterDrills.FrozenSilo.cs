using System.Text.RegularExpressions;

namespace PurchaseGrains.Tests.Faults;

public abstract partial class ClusterDrills
{
    private static readonly TimeSpan Freeze = FailureDetection + TimeSpan.FromSeconds(8);

    /// <summary>What Orleans logs in a silo that finds itself declared dead, just before it stops.</summary>
    private const string Verdict = "I have been told I am dead";

    /// <summary>
    /// The grain an ETag conflict in a silo's log names: PostgreSQL's "{grain} state '…' is no longer at version …",
    /// Orleans' Azure Table "… GrainId: {grain}, …" and Azure Blob "… BlobName: {state}-{grain}.json, …".
    /// </summary>
    [GeneratedRegex(@"InconsistentStateException: (?:(?<grain>\S+) state|Table storage condition not Satisfied\..*?GrainId: (?<grain>[^,\s]+)|Blob storage condition not Satisfied\..*?BlobName: [^-\s]+-(?<grain>[^,\s]+)\.json)")]
    private static partial Regex ConflictedGrain();

    /// <summary>How soon after waking a silo the cluster declared dead must be gone (it reads that verdict and stops).</summary>
    private static readonly TimeSpan WokenSiloLeaves = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A silo frozen (SIGSTOP) for longer than failure detection, then woken (SIGCONT). The cluster declares it dead
    /// and its grains activate on the other silos: a purchase and an intent sent straight to silo 1 succeed while it is
    /// still frozen. Woken, it still holds the activations the cluster has moved on from: their writes must meet ETag
    /// conflicts instead of overwriting newer state, and it must leave. No acknowledged write may be lost, and every
    /// request is answered in the end. (Requests nginx had sent to the frozen silo wait for it: nginx OSS checks
    /// upstreams only passively. In Kubernetes the readiness probe, which times out, takes such a pod out.)
    /// </summary>
    [FaultFact]
    public async Task AFrozenSiloIsDeclaredDeadAndOnWakingLeavesWithoutOverwritingNewerState()
    {
        await using var drill = await StartDrillAsync();
        var cluster = drill.Cluster;
        using var silo1 = new LoadClient(cluster.SiloUrl(1), drill.Record);
        await Task.Delay(TimeSpan.FromSeconds(8));

        await using var watch = MembershipWatch.For(cluster, lost: 2);
        var frozenAt = DateTimeOffset.UtcNow;
        await cluster.FreezeSiloAsync(2);
        var declaredDead = await watch.DeclaredDeadAsync(Freeze);
        Assert.True(declaredDead is not null, $"frozen silo 2 not declared dead within {Seconds(Freeze)}");
        await Infrastructure.Eventually.TrueAsync(() => drill.Load.TryWritesAsync(silo1), frozenAt + Freeze - DateTimeOffset.UtcNow,
            "a purchase and an intent to succeed on silo 1 while silo 2 is frozen");
        var servedElsewhereAt = DateTimeOffset.UtcNow;
        var untilThaw = frozenAt + Freeze - DateTimeOffset.UtcNow;
        if (untilThaw > TimeSpan.Zero)
            await Task.Delay(untilThaw);
        var thawedAt = DateTimeOffset.UtcNow;
        await cluster.ThawSiloAsync(2);
        // It leaves when it reads the verdict: it logs it and fails fast (the process may take longer to be gone).
        while (cluster.LogLines("silo2", Verdict).Count == 0 && cluster.SiloProcessRuns(2)
               && DateTimeOffset.UtcNow - thawedAt < WokenSiloLeaves + TimeSpan.FromSeconds(5))
            await Task.Delay(100);
        var leftAt = DateTimeOffset.UtcNow;
        var left = cluster.LogLines("silo2", Verdict).Count > 0 || !cluster.SiloProcessRuns(2);
        var staleGrains = cluster.LogLines("silo2", "InconsistentStateException: ")
            .Select(l => ConflictedGrain().Match(l).Groups["grain"].Value).Where(g => g.Length > 0).Distinct().ToList();
        var verdict = cluster.LogLines("silo2", Verdict).FirstOrDefault();
        await cluster.RestartSiloAsync(2);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var invariants = await StopAndCheckInvariantsAsync(drill);

        var failed = drill.Record.Requests.Where(r => r.Failed).ToList();
        Log($"silo2 on waking: {verdict?.Trim()[..Math.Min(verdict.Trim().Length, 160)]}");
        Log($"stale activations on silo2 whose writes met an ETag conflict: {string.Join(", ", staleGrains)}");
        Log($"DRILL frozen silo ({profile.Database}): frozen {Seconds(Freeze)}; declared dead after {Seconds(declaredDead.Value - frozenAt)}; " +
            $"a purchase and an intent served by silo 1 after {Seconds(servedElsewhereAt - frozenAt)}; woken silo read its verdict and stopped " +
            $"{Seconds(leftAt - thawedAt)} after SIGCONT; {staleGrains.Count} stale activations met ETag conflicts; " +
            $"failed attempts (all retried): {Errors(failed)}; {invariants}; took {Seconds(drill.Watch.Elapsed)}");

        AssertClientsWereTreatedWell(drill.Record);
        Assert.True(declaredDead.Value - frozenAt < RecoveryTarget, $"frozen silo 2 declared dead after {Seconds(declaredDead.Value - frozenAt)}");
        Assert.True(left && leftAt - thawedAt < WokenSiloLeaves, $"silo 2 still ran {Seconds(leftAt - thawedAt)} after waking to find itself declared dead");
        Assert.NotNull(verdict);
        AssertProgress(drill.Record.Requests, leftAt, DateTimeOffset.UtcNow, "after silo 2 woke and left");
        drill.Passed();
    }
}
