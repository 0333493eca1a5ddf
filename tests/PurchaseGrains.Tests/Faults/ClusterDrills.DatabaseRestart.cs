using System.Diagnostics;

namespace PurchaseGrains.Tests.Faults;

public abstract partial class ClusterDrills
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);

    /// <summary>While the database is down no request may take longer than this (the fail-fast promise).</summary>
    private static readonly TimeSpan OutageLatencyBound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The database stopped for a few seconds under load, then started again. Requests that need it fail fast with 503,
    /// which clients retry; readiness drops while liveness stays up; when the database is back, every silo is ready
    /// again and writes succeed, without any silo restarted.
    /// </summary>
    [FaultFact]
    public async Task ADatabaseRestartFailsRequestsFastWith503AndTheClusterRecoversWithoutARestart()
    {
        await using var drill = await StartDrillAsync();
        var cluster = drill.Cluster;
        var pids = Enumerable.Range(1, Silos).Select(i => cluster.ProcessId($"silo{i}")).ToList();
        using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Task.Delay(TimeSpan.FromSeconds(8));

        var stopStart = DateTimeOffset.UtcNow;
        await profile.StopDatabaseAsync(cluster);
        var stopEnd = DateTimeOffset.UtcNow;
        await Task.Delay(Outage / 2);
        var probe = Stopwatch.StartNew();
        using var ready = await direct.GetAsync(new Uri(cluster.SiloUrl(1), "/health/ready"));
        var readyTook = probe.Elapsed;
        using var live = await direct.GetAsync(new Uri(cluster.SiloUrl(1), "/health/live"));
        await Task.Delay(stopEnd + Outage - DateTimeOffset.UtcNow is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        var startBegin = DateTimeOffset.UtcNow;
        await profile.StartDatabaseAsync(cluster);
        var startEnd = DateTimeOffset.UtcNow;

        var recovery = Stopwatch.StartNew();
        for (var i = 1; i <= Silos; i++)
        {
            var silo = cluster.SiloUrl(i);
            await Infrastructure.Eventually.TrueAsync(async () =>
            {
                try { using var answer = await direct.GetAsync(new Uri(silo, "/health/ready")); return answer.IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30), $"silo{i} /health/ready to answer 200 after {profile.Database} came back");
        }
        var readyAfter = recovery.Elapsed;
        await Infrastructure.Eventually.TrueAsync(() => drill.Load.TryWritesAsync(), TimeSpan.FromSeconds(30),
            $"a purchase and an intent to succeed through nginx after {profile.Database} came back");
        var writesAfter = recovery.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var invariants = await StopAndCheckInvariantsAsync(drill);

        var requests = drill.Record.Requests;
        var startedInOutage = requests.Where(r => r.StartedAt >= stopEnd && r.StartedAt <= startBegin).ToList();
        // Felt from the moment the database began to stop: a write then in flight fails with 503 and holds its key, and
        // clients that retry that key meet 409 "still being processed" until the database is back, so a load whose
        // every writer is retrying such a key may start no new write, and meet no new 503, while the database is down.
        var answered503 = requests.Count(r => r.Status == 503 && r.Overlaps(stopStart, startBegin));
        var failed = requests.Where(r => r.Failed).ToList();
        var slowest = startedInOutage.Select(r => r.Duration).DefaultIfEmpty().Max();
        var recovered = Recovery.After(startEnd, requests);
        Log($"DRILL {profile.Database} restart: down {Seconds(startBegin - stopEnd)}; {startedInOutage.Count} attempts started while down, " +
            $"{startedInOutage.Count(r => r.Status == 503)} answered 503, slowest {slowest.TotalMilliseconds:0} ms; {answered503} answered 503 " +
            $"from the stop to the start; /health/ready " +
            $"{(int)ready.StatusCode} in {readyTook.TotalMilliseconds:0} ms, /health/live {(int)live.StatusCode}; after the start: every silo " +
            $"ready in {Seconds(readyAfter)}, writes in {Seconds(writesAfter)}, every request kind in {recovered}; failed attempts (all retried): " +
            $"{Errors(failed)}; no silo restarted; {invariants}; took {Seconds(drill.Watch.Elapsed)}");

        // No silo was lost, so nginx has no business answering 502/504: every failure must be the service's 503, or
        // its 409 for a key whose first run failed while the database was down (freed once the database is back).
        AssertClientsWereTreatedWell(drill.Record);
        var notFast503 = failed.Where(r => r.Status != 503 && r.Error != LoadClient.StillRunning).ToList();
        Assert.True(notFast503.Count == 0, $"failures other than 503 or 409 (key still held):\n{MixedLoad.Describe(notFast503)}");
        var slow = startedInOutage.Where(r => r.Duration > OutageLatencyBound).ToList();
        Assert.True(slow.Count == 0, $"{slow.Count} requests took over {Seconds(OutageLatencyBound)} while {profile.Database} was down:\n{MixedLoad.Describe(slow)}");
        Assert.True(answered503 > 0, $"no request was answered 503 from the stop of {profile.Database} to its start: the outage was not felt");
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.True(readyTook < TimeSpan.FromSeconds(3), $"/health/ready took {readyTook.TotalMilliseconds:0} ms while {profile.Database} was down");
        Assert.Equal(200, (int)live.StatusCode);
        Assert.Equal(pids, Enumerable.Range(1, Silos).Select(i => cluster.ProcessId($"silo{i}")).ToList());
        AssertProgress(requests, stopStart.AddSeconds(-8), stopStart, "before the outage");
        AssertProgress(requests, startEnd, DateTimeOffset.UtcNow, $"after {profile.Database} came back");
        drill.Passed();
    }
}
