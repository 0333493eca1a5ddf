using System.Diagnostics;
using System.Globalization;
using PurchaseGrains.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// Fault drills against a real local cluster (3 silo processes behind nginx, on the storage of a
/// <see cref="DrillProfile"/>) under a bounded mixed load, each followed by the invariant check over the database and
/// what the clients were told. One subclass per profile runs them all (<see cref="PostgresClusterDrills"/>,
/// <see cref="AzureStorageClusterDrills"/>), one after another on the cluster they share (<see cref="SharedCluster"/>).
/// Each drill logs a line starting with <c>DRILL</c>: the figures the README quotes.
/// </summary>
public abstract partial class ClusterDrills(ITestOutputHelper output, DrillProfile profile, SharedCluster shared)
{
    protected const int Silos = 3;
    private static readonly TimeSpan FulfillmentDeadline = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan IntentTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Failure detection with the service's membership settings (appsettings.json: probe timeout 2 s, at most 4 s, 2
    /// missed probes, 2 votes). A silo whose connection still brought a message within max probe timeout x missed
    /// probes (8 s) counts as alive, so a silent silo is suspected after that window, plus one probe timeout (2 s) for
    /// the second vote. A killed silo, whose connections drop at once, is declared dead sooner.
    /// </summary>
    protected static readonly TimeSpan FailureDetection = TimeSpan.FromSeconds(4 * 2 + 2);

    /// <summary>
    /// The README's grace: how long after its deadline anything may still be unfinished. A reminder due while its silo
    /// was down fires at the next period boundary after the cluster declared that silo dead and moved its ring range.
    /// </summary>
    protected static readonly TimeSpan Grace = ReminderPeriod + FailureDetection;

    /// <summary>The issue's target for both the kill-to-declared-dead and the kill-to-recovered times.</summary>
    protected static readonly TimeSpan RecoveryTarget = TimeSpan.FromSeconds(15);

    private Dictionary<string, string> Settings => new(profile.Environment)
    {
        ["Reminders__MinimumPeriod"] = ReminderPeriod.ToString("c"),
        ["Reminders__BackstopPeriod"] = ReminderPeriod.ToString("c"),
        ["Vm__RecoveryDelay"] = "00:00:03",
        ["Vm__StatusPollWindow"] = "00:00:02",
        ["Fulfillment__Deadline"] = FulfillmentDeadline.ToString("c"),
        ["Fulfillment__PollInterval"] = "00:00:01",
        ["PurchaseIntents__PaymentPollInterval"] = "00:00:01",
        ["PurchaseIntents__FulfillmentRetryDelay"] = "00:00:00.500",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Orleans"] = System.Environment.GetEnvironmentVariable("FAULTS_ORLEANS_LOG_LEVEL") ?? "Warning",
    };

    /// <summary>
    /// A running drill: the cluster, its load (started), and a clock from the start. Unless the drill reached
    /// <see cref="Passed"/>, disposing it gives the cluster up, so the next drill starts on a new one.
    /// </summary>
    protected sealed class Drill(SharedCluster shared, LocalCluster cluster, MixedLoad load) : IAsyncDisposable
    {
        private bool _passed;

        public LocalCluster Cluster { get; } = cluster;
        public MixedLoad Load { get; } = load;
        public ClientRecord Record => Load.Record;
        public Stopwatch Watch { get; } = Stopwatch.StartNew();

        /// <summary>Every assertion held: the cluster, healthy and consistent, may serve the next drill.</summary>
        public void Passed() => _passed = true;

        public async ValueTask DisposeAsync()
        {
            await Load.DisposeAsync();
            if (!_passed)
                await shared.GiveUpAsync(Cluster);
        }
    }

    protected async Task<Drill> StartDrillAsync()
    {
        var cluster = await shared.TakeAsync(Silos, Settings, Log);
        var load = new MixedLoad(cluster.EntryUrl, FulfillmentDeadline);
        try
        {
            shared.CardsAdded += await load.SetUpAsync(shared.CardsAdded, profile.Cards, IntentTimeout);
        }
        catch
        {
            await load.DisposeAsync();
            await shared.GiveUpAsync(cluster);
            throw;
        }
        load.Start();
        return new Drill(shared, cluster, load);
    }

    /// <summary>
    /// Acceptable as a final answer: 2xx/3xx; 4xx with the error envelope (out of stock, not pending, ...). Acceptable
    /// as an attempt, retried by the client: <see cref="RequestOutcome.Retryable"/> with the envelope (or no answer).
    /// Never: a 500, a 5xx without the envelope, a 4xx without it.
    /// </summary>
    protected static bool Acceptable(RequestOutcome r) => r.Status switch
    {
        0 => true,
        >= 200 and < 400 => true,
        >= 400 and < 500 => r.ErrorEnvelope,
        502 or 503 or 504 => r.ErrorEnvelope,
        _ => false,
    };

    /// <summary>No answer outside <see cref="Acceptable"/>, no request given up, no replay that differed from its first answer.</summary>
    protected static void AssertClientsWereTreatedWell(ClientRecord record)
    {
        var requests = record.Requests;
        var unacceptable = requests.Where(r => !Acceptable(r)).ToList();
        Assert.True(unacceptable.Count == 0, $"{unacceptable.Count} unacceptable answers:\n{MixedLoad.Describe(unacceptable)}");
        var givenUp = record.GivenUp;
        Assert.True(givenUp.Count == 0, $"{givenUp.Count} requests still failing when the client's retry budget ran out:\n{MixedLoad.Describe(givenUp)}");
        Assert.True(record.Anomalies.Count == 0, $"{record.Anomalies.Count} anomalies:\n{string.Join('\n', record.Anomalies.Take(15))}");
    }

    protected static void AssertProgress(IReadOnlyCollection<RequestOutcome> requests, DateTimeOffset from, DateTimeOffset to, string when)
    {
        foreach (var (operation, status) in new[] { ("buy/init", 200), ("intent/create", 201), ("buyback", 200) })
        {
            Assert.True(requests.Any(r => r.Operation == operation && r.Status == status && r.StartedAt >= from && r.EndedAt <= to),
                $"no {operation} answered {status} {when}: the load made no progress");
        }
    }

    /// <summary>"503: 12, 502: 2" over the failed attempts among <paramref name="requests"/>.</summary>
    protected static string Errors(IEnumerable<RequestOutcome> requests)
    {
        var failed = requests.Where(r => r.Failed).GroupBy(r => r.Status).OrderBy(g => g.Key).ToList();
        return failed.Count == 0 ? "none" : string.Join(", ", failed.Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(CultureInfo.InvariantCulture))}: {g.Count()}"));
    }

    /// <summary>Stops the load, waits until every acknowledged deadline plus <see cref="Grace"/> has passed, then checks every invariant.</summary>
    protected async Task<string> StopAndCheckInvariantsAsync(Drill drill)
    {
        await drill.Load.StopAsync();
        var record = drill.Record;
        Log($"requests: {record.Requests.Count} attempts; {record.Summary()}; {record.Resends.Count} written again on a new connection");
        Log($"acknowledged: {record.Sessions.Count} sessions, {record.Deliveries.Count} deliveries, {record.Intents.Count} intents, " +
            $"{record.Buybacks.Count} buybacks; {record.ReplaysChecked} Idempotency-Key replays matched their first answer");
        var quietAt = record.LastDeadline + Grace;
        var wait = quietAt - DateTimeOffset.UtcNow;
        Log($"waiting {Math.Max(0, wait.TotalSeconds):0.0} s for the last deadline ({record.LastDeadline:HH:mm:ss.fff}) plus {Grace.TotalSeconds} s grace");
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
        try
        {
            await profile.CheckInvariantsAsync(drill.Cluster, record, DateTimeOffset.UtcNow, Grace, Log);
        }
        catch (InvariantViolationException violation)
        {
            drill.Cluster.KeepDirectory = true;
            Log($"invariants broken; cluster folder kept: {drill.Cluster.Directory}");
            foreach (var id in InvariantChecker.IdsIn(violation.Message).Take(3))
                Log($"client requests about {id}:\n{MixedLoad.Describe(record.Requests.Where(r => r.Path.Contains(id, StringComparison.Ordinal)))}");
            throw;
        }
        return $"invariants hold ({record.Sessions.Count} sessions, {record.Intents.Count} intents, {record.Buybacks.Count} buybacks, " +
               $"{record.ReplaysChecked} replays checked) on {profile.Database}";
    }

    protected void Log(string line)
    {
        try { output.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss.fff}] {line}"); }
        catch (InvalidOperationException) { } // after the test finished
    }

    protected static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
}

/// <summary>Every drill on the PostgreSQL profile.</summary>
[Collection(FaultCollection.Name)]
public sealed class PostgresClusterDrills(ITestOutputHelper output, SharedCluster shared)
    : ClusterDrills(output, new PostgresDrillProfile(), shared), IClassFixture<SharedCluster>;

/// <summary>Every drill on the AzureStorage profile; skipped, like the other Azurite tests, only outside CI without Azurite.</summary>
[Collection(FaultCollection.Name), RequiresAzurite]
public sealed class AzureStorageClusterDrills(ITestOutputHelper output, SharedCluster shared)
    : ClusterDrills(output, new AzureStorageDrillProfile(), shared), IClassFixture<SharedCluster>;
