namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// The one cluster a profile's drills run on in turn (a class fixture of each <see cref="ClusterDrills"/> subclass).
/// Starting 3 silos, nginx and a database took 12 to 22 s, most of a drill's fixed cost, so a drill that passed leaves
/// the cluster to the next one: healthy again (it restarts what it killed, froze or rolled) and holding state that
/// satisfies every invariant, which the next drill's checks read along with its own. A drill that failed, or a cluster
/// not healthy when the next drill begins, is stopped and the next drill starts a fresh one: one failure never spreads.
/// </summary>
public sealed class SharedCluster : IAsyncLifetime
{
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(30);

    private LocalCluster? _cluster;
    private int _drills;

    /// <summary>
    /// The cluster for the next drill: the last drill's, once every silo is ready and counts all <paramref name="silos"/>
    /// active; otherwise a new one. Its logs are read from here on (<see cref="LocalCluster.MarkLogs"/>).
    /// </summary>
    public async Task<LocalCluster> TakeAsync(int silos, IReadOnlyDictionary<string, string> settings, Action<string> log)
    {
        if (_cluster is { } previous)
        {
            previous.Log = log;
            if (await AllActiveAsync(previous, silos, log))
            {
                log($"reusing the cluster of the previous drill ({_drills} so far): {previous.Directory}");
                previous.MarkLogs();
                _drills++;
                return previous;
            }
            await previous.DisposeAsync();
            _cluster = null;
        }
        _cluster = await LocalCluster.StartAsync(silos, settings, log);
        _drills = 1;
        CardsAdded = 0;
        return _cluster;
    }

    /// <summary>A drill that failed gives the cluster up: its folder is kept if it broke an invariant, and the next drill starts anew.</summary>
    public async Task GiveUpAsync(LocalCluster cluster)
    {
        if (!ReferenceEquals(cluster, _cluster))
            return;
        _cluster = null;
        await cluster.DisposeAsync();
    }

    /// <summary>How many cards the drills on this cluster have added to the pack, so the next drill's card ids are new to it.</summary>
    public int CardsAdded { get; set; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is { } cluster)
            await cluster.DisposeAsync();
    }

    private static async Task<bool> AllActiveAsync(LocalCluster cluster, int silos, Action<string> log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var until = DateTimeOffset.UtcNow + HealthyWithin;
        var pending = Enumerable.Range(1, silos).ToHashSet();
        while (pending.Count > 0 && DateTimeOffset.UtcNow < until)
        {
            foreach (var silo in pending.ToList())
            {
                if (await SiloReadiness.ReadAsync(http, cluster.SiloUrl(silo)) is (true, var active) && active == silos)
                    pending.Remove(silo);
            }
            if (pending.Count > 0)
                await Task.Delay(200);
        }
        if (pending.Count > 0)
            log($"the previous drill's cluster is not healthy (silos {string.Join(", ", pending)} not ready with {silos} active); starting a new one");
        return pending.Count == 0;
    }
}
