using System.Diagnostics;

namespace PurchaseGrains.Tests.Faults;

public abstract partial class ClusterDrills
{
    /// <summary>
    /// A rolling restart under load, as a Kubernetes rollout does it: each silo in turn is taken out of nginx, gets
    /// SIGTERM, drains its requests and leaves the cluster (handing its activations and reminder ranges over), starts
    /// again and is put back once ready. No request may fail (the client's retry budget never runs out), the only
    /// retried attempts are 503s of grain calls caught in flight by a silo's stop, and the work the stopped silos'
    /// reminders were due to do is done on time.
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
        var reloadRaces = failed.Count(r => r.Status == 0 && r.TransportError == LoadClient.SendFailed);
        Log($"DRILL rolling restart ({profile.Database}): {Silos} silos in {Seconds(rollEnd - rollStart)} (drain, SIGTERM, exit, start, ready, " +
            $"undrain: {string.Join(", ", rolls)}); {during.Count} attempts during it; failed attempts: {Errors(failed)} " +
            $"({reloadRaces} of them unsent, on a client connection nginx's reload closed); {invariants}; " +
            $"took {Seconds(drill.Watch.Elapsed)}");

        AssertClientsWereTreatedWell(drill.Record);
        // The target is no failed attempt at all. What remains: a grain call from another silo that was in flight to
        // the stopping silo as it marked itself dead (Orleans: SiloUnavailableException) is answered 503, and the
        // client's retry succeeds. Anything else fails the drill.
        // Nor does the drill's own load balancer count: nginx's graceful reload (drain and undrain) closes its idle
        // client connections, and a request the client wrote on one as it closed never reached nginx or a silo.
        var notInFlightAtStop = failed.Where(r => !(r.Status == 503 && r.Error == "The service is busy; retry shortly")
            && !(r.Status == 0 && r.Upstream is null && r.TransportError == LoadClient.SendFailed)).ToList();
        Assert.True(notInFlightAtStop.Count == 0, $"{notInFlightAtStop.Count} failed attempts during a rolling restart:\n{MixedLoad.Describe(notInFlightAtStop)}");
        AssertProgress(requests, rollStart, rollEnd, "during the rolling restart");
    }
}
