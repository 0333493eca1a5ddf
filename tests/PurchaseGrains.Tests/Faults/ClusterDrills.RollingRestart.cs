using System.Diagnostics;

namespace PurchaseGrains.Tests.Faults;

public abstract partial class ClusterDrills
{
    /// <summary>
    /// A rolling restart under load, as a Kubernetes rollout does it: each silo in turn is taken out of nginx, gets
    /// SIGTERM, drains its requests and leaves the cluster (handing its activations and reminder ranges over), starts
    /// again and is put back once ready. No attempt of any request may fail, and the work the stopped silos' reminders
    /// were due to do is done on time.
    /// </summary>
    [FaultFact]
    public async Task ARollingRestartOfEverySiloUnderLoadFailsNoRequestAndLosesNothing()
    {
        await using var drill = await StartDrillAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));

        var rolls = new List<string>();
        var rollStart = DateTimeOffset.UtcNow;
        for (var i = 1; i <= Silos; i++)
        {
            var roll = Stopwatch.StartNew();
            await drill.Cluster.RollSiloAsync(i);
            rolls.Add($"silo{i} {Seconds(roll.Elapsed)}");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        var rollEnd = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(4));
        var invariants = await StopAndCheckInvariantsAsync(drill);

        var requests = drill.Record.Requests;
        var failed = requests.Where(r => r.Failed).ToList();
        var during = requests.Where(r => r.Overlaps(rollStart, rollEnd)).ToList();
        var resends = drill.Record.Resends;
        var rerun = Enumerable.Range(1, Silos).SelectMany(i => drill.Cluster.LogLines($"silo{i}", "met a handover")).ToList();
        Log($"DRILL rolling restart ({profile.Database}): {Silos} silos in {Seconds(rollEnd - rollStart)} (drain, SIGTERM, exit, start, ready, " +
            $"undrain: {string.Join(", ", rolls)}); {during.Count} attempts during it; failed attempts: {Errors(failed)}; " +
            $"{rerun.Count} grain calls run again by their silo after a handover ({HandoverFailures(rerun)}); " +
            $"{resends.Count} requests written again on a new connection, nginx's reload having closed theirs before any answer " +
            $"({string.Join(", ", resends.GroupBy(r => r.Why).Select(g => $"{g.Count()} \"{g.Key}\""))}); {invariants}; " +
            $"took {Seconds(drill.Watch.Elapsed)}");

        AssertClientsWereTreatedWell(drill.Record);
        // A grain call caught in the handover of a leaving silo's grains is run again by the silo that made it, where that
        // is safe (GrainHandoverRetry); so no attempt may fail at all.
        Assert.True(failed.Count == 0, $"{failed.Count} failed attempts during a rolling restart:\n{MixedLoad.Describe(failed)}");
        // Only nginx's graceful reloads (drain, undrain) close the clients' connections, and only during the restart.
        var strayResends = resends.Where(r => r.At < rollStart || r.At > rollEnd + TimeSpan.FromSeconds(2)).ToList();
        Assert.True(strayResends.Count == 0, $"connections closed before any answer outside nginx's reloads: {string.Join(", ", strayResends)}");
        AssertProgress(requests, rollStart, rollEnd, "during the rolling restart");
        drill.Passed();
    }

    /// <summary>"2 SiloUnavailableException, 1 OrleansMessageRejectionException" from the silos' retry log lines.</summary>
    private static string HandoverFailures(IEnumerable<string> retries) => string.Join(", ", retries
        .Select(line => line[(line.IndexOf("handover (", StringComparison.Ordinal) + "handover (".Length)..].Split(':')[0])
        .GroupBy(failure => failure).Select(g => $"{g.Count()} {g.Key}"));
}
