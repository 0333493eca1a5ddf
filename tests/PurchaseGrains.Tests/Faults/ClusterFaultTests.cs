using System.Diagnostics;
using Npgsql;
using Xunit.Abstractions;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// Fault drills against a real local cluster (PostgreSQL, 3 silo processes, nginx) under a steady mixed load,
/// followed by the invariant check over the database and what the clients were told.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int Silos = 3;
    private static readonly TimeSpan FulfillmentDeadline = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan IntentTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its deadline anything may still be unfinished: reminder lease (3 s, a tick claimed by a
    /// killed silo) + the reminder retry backoff cap (2 s, a tick failed during an outage) + the payment poll (1 s),
    /// plus 4 s for a loaded 2-core machine.
    /// </summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>How long after a kill nginx may still hand a request to one of the dead silo's pooled connections.</summary>
    private static readonly TimeSpan PooledConnectionCloseGrace = TimeSpan.FromMilliseconds(250);

    /// <summary>During the database outage no request may take longer than this (the fail-fast promise).</summary>
    private static readonly TimeSpan OutageLatencyBound = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Reminders__Lease"] = "00:00:03",
        ["Reminders__MaxRetryBackoff"] = "00:00:02",
        ["Vm__RecoveryDelay"] = "00:00:03",
        ["Vm__StatusPollWindow"] = "00:00:02",
        ["Fulfillment__Deadline"] = FulfillmentDeadline.ToString("c"),
        ["Fulfillment__PollInterval"] = "00:00:01",
        ["PurchaseIntents__PaymentPollInterval"] = "00:00:01",
        ["PurchaseIntents__FulfillmentRetryDelay"] = "00:00:00.500",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [FaultFact]
    public async Task KillingASiloUnderLoadLosesNoAcknowledgedWriteAndBreaksNoInvariant()
    {
        var watch = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync(Silos, Settings, Log);
        await using var load = new MixedLoad(cluster.EntryUrl, FulfillmentDeadline);
        await load.SetUpAsync(cards: 2000, IntentTimeout);
        load.Start();

        await Task.Delay(TimeSpan.FromSeconds(10));
        var killStart = DateTimeOffset.UtcNow;
        await cluster.KillSiloAsync(2);
        var killEnd = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(15));
        var restartStart = DateTimeOffset.UtcNow;
        await cluster.RestartSiloAsync(2);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await load.StopAsync();

        var requests = load.Record.Requests;
        var killed = cluster.SiloAddress(2);
        // 502/504 only for a request nginx sent to silo 2 as it died: nginx tried silo 2 for it (X-Upstream-Addr)
        // and it overlapped the kill. nginx never re-sends a POST that reached a silo, so its outcome is unknown
        // and the gateway error is the honest answer. That includes a POST written, in the moment after the kill,
        // to one of silo 2's pooled keepalive connections before nginx had processed that connection's close (seen
        // once in CI, 19 ms after the kill). Anything refused later is retried on another silo by nginx.
        bool InFlightOnKilledSilo(RequestOutcome r) =>
            r.Status is 502 or 504 && r.ErrorEnvelope && r.Upstream?.Contains(killed, StringComparison.Ordinal) == true
            && r.Overlaps(killStart, killEnd + PooledConnectionCloseGrace);
        var unexpected = requests.Where(r => !Acceptable(r) && !InFlightOnKilledSilo(r)).ToList();
        Log($"requests: {requests.Count}; {load.Record.Summary()}");
        Log($"around the kill ({killStart:HH:mm:ss.fff}..{killEnd:HH:mm:ss.fff}): {load.Record.Summary(r => r.Overlaps(killStart, killEnd.AddSeconds(1)))}");
        Log($"gateway errors accepted (in flight on silo 2): {requests.Count(InFlightOnKilledSilo)}; 503s: {requests.Count(r => r.Status == 503)}");
        Log($"acknowledged: {load.Record.Sessions.Count} sessions, {load.Record.Deliveries.Count} deliveries, {load.Record.Intents.Count} intents, {load.Record.Buybacks.Count} buybacks");
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} unexpected answers:\n{MixedLoad.Describe(unexpected)}");
        Assert.Empty(load.Record.Anomalies);
        AssertProgress(requests, killEnd, restartStart, "while silo 2 was down");

        await CheckInvariantsAsync(cluster, load.Record);
        Log($"scenario took {watch.Elapsed.TotalSeconds:0} s");
    }

    [FaultFact]
    public async Task APostgresRestartFailsRequestsFastWith503AndTheClusterRecoversByItself()
    {
        var watch = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync(Silos, Settings, Log);
        await using var load = new MixedLoad(cluster.EntryUrl, FulfillmentDeadline);
        await load.SetUpAsync(cards: 2000, IntentTimeout);
        var pids = Enumerable.Range(1, Silos).Select(i => cluster.ProcessId($"silo{i}")).ToList();
        using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        load.Start();

        await Task.Delay(TimeSpan.FromSeconds(8));
        var stopStart = DateTimeOffset.UtcNow;
        await cluster.StopPostgresAsync();
        var stopEnd = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var probeStart = Stopwatch.StartNew();
        using var ready = await direct.GetAsync(new Uri(cluster.SiloUrl(1), "/health/ready"));
        var readyTook = probeStart.Elapsed;
        using var live = await direct.GetAsync(new Uri(cluster.SiloUrl(1), "/health/live"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var startBegin = DateTimeOffset.UtcNow;
        await cluster.StartPostgresAsync();
        var startEnd = DateTimeOffset.UtcNow;

        // Recovery, by the silos alone: readiness back on every silo, then writes through nginx succeed.
        var recovery = Stopwatch.StartNew();
        for (var i = 1; i <= Silos; i++)
        {
            var silo = cluster.SiloUrl(i);
            await Infrastructure.Eventually.TrueAsync(async () =>
            {
                try { using var answer = await direct.GetAsync(new Uri(silo, "/health/ready")); return answer.IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30), $"silo{i} /health/ready to answer 200 after PostgreSQL came back");
        }
        var readyAfter = recovery.Elapsed;
        await Infrastructure.Eventually.TrueAsync(load.TryWritesAsync, TimeSpan.FromSeconds(30),
            "a purchase and an intent to succeed through nginx after PostgreSQL came back");
        var writesAfter = recovery.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(5));
        await load.StopAsync();

        var requests = load.Record.Requests;
        var duringOutage = requests.Where(r => r.Overlaps(stopStart, startEnd)).ToList();
        var startedInOutage = requests.Where(r => r.StartedAt >= stopEnd && r.StartedAt <= startBegin).ToList();
        Log($"requests: {requests.Count}; {load.Record.Summary()}");
        Log($"overlapping the outage ({stopStart:HH:mm:ss.fff}..{startEnd:HH:mm:ss.fff}): {duringOutage.Count}; {load.Record.Summary(r => r.Overlaps(stopStart, startEnd))}");
        Log($"started while down: {startedInOutage.Count}, slowest {startedInOutage.Select(r => r.Duration.TotalMilliseconds).DefaultIfEmpty().Max():0} ms");
        Log($"/health/ready during the outage: {(int)ready.StatusCode} in {readyTook.TotalMilliseconds:0} ms; /health/live {(int)live.StatusCode}");
        Log($"after restart: all silos ready in {readyAfter.TotalSeconds:0.0} s, writes succeeded in {writesAfter.TotalSeconds:0.0} s");
        Log($"acknowledged: {load.Record.Sessions.Count} sessions, {load.Record.Deliveries.Count} deliveries, {load.Record.Intents.Count} intents, {load.Record.Buybacks.Count} buybacks");

        // No silo was killed, so nginx has no business answering 502/504 here: every 5xx must be the service's 503.
        var unexpected = requests.Where(r => !Acceptable(r)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} unexpected answers:\n{MixedLoad.Describe(unexpected)}");
        var slow = startedInOutage.Where(r => r.Duration > OutageLatencyBound).ToList();
        Assert.True(slow.Count == 0, $"{slow.Count} requests took over {OutageLatencyBound.TotalSeconds} s while PostgreSQL was down:\n{MixedLoad.Describe(slow)}");
        Assert.True(startedInOutage.Count(r => r.Status == 503) > 0, "no request was answered 503 while PostgreSQL was down: the outage was not felt");
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.True(readyTook < TimeSpan.FromSeconds(3), $"/health/ready took {readyTook.TotalMilliseconds:0} ms while PostgreSQL was down");
        Assert.Equal(200, (int)live.StatusCode);
        Assert.Equal(pids, Enumerable.Range(1, Silos).Select(i => cluster.ProcessId($"silo{i}")).ToList());
        Assert.Empty(load.Record.Anomalies);
        AssertProgress(requests, stopStart.AddSeconds(-8), stopStart, "before the outage");

        await CheckInvariantsAsync(cluster, load.Record);
        Log($"scenario took {watch.Elapsed.TotalSeconds:0} s");
    }

    /// <summary>
    /// Acceptable anywhere: 2xx/3xx; 4xx with the error envelope (domain answers such as out of stock, not pending,
    /// in progress, transaction failed); 503 with the envelope (storage unavailable or busy: retry shortly).
    /// Never: no answer at all, a 500, any 5xx other than 503, or an error without the envelope.
    /// </summary>
    private static bool Acceptable(RequestOutcome r) => r.Status switch
    {
        >= 200 and < 400 => true,
        >= 400 and < 500 => r.ErrorEnvelope,
        503 => r.ErrorEnvelope,
        _ => false,
    };

    private static void AssertProgress(IReadOnlyCollection<RequestOutcome> requests, DateTimeOffset from, DateTimeOffset to, string when)
    {
        foreach (var (operation, status) in new[] { ("buy/init", 200), ("intent/create", 201), ("buyback", 200) })
        {
            Assert.True(requests.Any(r => r.Operation == operation && r.Status == status && r.StartedAt >= from && r.EndedAt <= to),
                $"no {operation} answered {status} {when}: the load made no progress");
        }
    }

    /// <summary>Waits until every acknowledged deadline plus <see cref="Grace"/> has passed, then checks every invariant.</summary>
    private async Task CheckInvariantsAsync(LocalCluster cluster, ClientRecord record)
    {
        var quietAt = record.LastDeadline + Grace;
        var wait = quietAt - DateTimeOffset.UtcNow;
        Log($"waiting {Math.Max(0, wait.TotalSeconds):0.0} s for the last deadline ({record.LastDeadline:HH:mm:ss.fff}) plus {Grace.TotalSeconds} s grace");
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        try
        {
            await new InvariantChecker(connection).CheckAllAsync(record, DateTimeOffset.UtcNow, Grace);
        }
        catch (InvariantViolationException violation)
        {
            cluster.KeepDirectory = true;
            Log($"invariants broken; cluster folder kept: {cluster.Directory}");
            Log(await InvariantChecker.DescribeAsync(connection, InvariantChecker.IdsIn(violation.Message)));
            foreach (var id in InvariantChecker.IdsIn(violation.Message).Take(3))
            {
                Log($"client requests about {id}:\n{MixedLoad.Describe(record.Requests.Where(r => r.Path.Contains(id, StringComparison.Ordinal)))}");
            }
            throw;
        }
    }

    private void Log(string line)
    {
        try { output.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss.fff}] {line}"); }
        catch (InvalidOperationException) { } // after the test finished
    }
}
