namespace PurchaseGrains.Tests.Faults;

public abstract partial class ClusterDrills
{
    /// <summary>
    /// kill -9 of one silo under load. The cluster must declare it dead, and every kind of request must succeed again,
    /// each within <see cref="RecoveryTarget"/>. Until then clients may only meet answers they can retry: 503, or
    /// 502/504 from nginx for a request it had sent to the killed silo; a POST retried with its Idempotency-Key gets
    /// the answer of its first run.
    /// </summary>
    [FaultFact]
    public async Task KillingASiloUnderLoadIsDetectedAndRecoveredFromWithinFifteenSecondsLosingNothing()
    {
        await using var drill = await StartDrillAsync();
        var cluster = drill.Cluster;
        await Task.Delay(TimeSpan.FromSeconds(8));

        await using var watch = MembershipWatch.For(cluster, lost: 2);
        var killedAt = DateTimeOffset.UtcNow;
        await cluster.KillSiloAsync(2);
        var declaredDead = await watch.DeclaredDeadAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(4));
        var restartedAt = DateTimeOffset.UtcNow;
        await cluster.RestartSiloAsync(2);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var invariants = await StopAndCheckInvariantsAsync(drill);

        var requests = drill.Record.Requests;
        var recovery = Recovery.After(killedAt, requests.Where(r => r.StartedAt < restartedAt));
        var killed = cluster.SiloAddress(2);
        var failed = requests.Where(r => r.Failed).ToList();
        Log($"DRILL kill -9 ({profile.Database}): declared dead after {(declaredDead is { } at ? Seconds(at - killedAt) : "never")}, " +
            $"every request kind succeeded again after {recovery}; failed attempts (all retried): {Errors(failed)}; {invariants}; " +
            $"took {Seconds(drill.Watch.Elapsed)}");

        AssertClientsWereTreatedWell(drill.Record);
        // nginx answers 502/504 only for a request it had sent to the killed silo.
        var gatewayErrorsElsewhere = failed.Where(r => r.Status is 502 or 504 && r.Upstream?.Contains(killed, StringComparison.Ordinal) != true).ToList();
        Assert.True(gatewayErrorsElsewhere.Count == 0, $"gateway errors not from the killed silo:\n{MixedLoad.Describe(gatewayErrorsElsewhere)}");
        var outsideWindow = failed.Where(r => r.EndedAt < killedAt || r.StartedAt > killedAt + recovery.Took).ToList();
        Assert.True(outsideWindow.Count == 0, $"failed attempts outside the kill's window:\n{MixedLoad.Describe(outsideWindow)}");
        Assert.True(declaredDead is not null && declaredDead.Value - killedAt < RecoveryTarget,
            $"silo 2 declared dead after {(declaredDead is { } d ? Seconds(d - killedAt) : "more than 30 s")}; target {Seconds(RecoveryTarget)}");
        Assert.True(recovery.NeverRecovered.Count == 0, $"request kinds that never succeeded again before the restart: {string.Join(", ", recovery.NeverRecovered)}");
        Assert.True(recovery.Took < RecoveryTarget, $"every request kind succeeded again only after {recovery}; target {Seconds(RecoveryTarget)}");
        AssertProgress(requests, killedAt + recovery.Took, restartedAt, "after recovery, with silo 2 down");
        drill.Passed();
    }
}
