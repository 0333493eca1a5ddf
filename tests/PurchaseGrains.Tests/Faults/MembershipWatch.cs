namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// Polls the readiness of the silos that stay up (every 100 ms, straight to each silo) and notes when the first of them
/// counts one active silo fewer: the moment the cluster has declared a lost silo dead.
/// </summary>
public sealed class MembershipWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<DateTimeOffset?> _watching;

    private MembershipWatch(LocalCluster cluster, int lost)
    {
        var others = Enumerable.Range(1, cluster.SiloCount).Where(i => i != lost).Select(cluster.SiloUrl).ToList();
        _watching = WatchAsync(others, cluster.SiloCount - 1, _stop.Token);
    }

    /// <summary>Starts watching for silo <paramref name="lost"/> to be declared dead.</summary>
    public static MembershipWatch For(LocalCluster cluster, int lost) => new(cluster, lost);

    /// <summary>When a silo that stays up first saw the lost one gone, or null if none has within <paramref name="timeout"/>.</summary>
    public async Task<DateTimeOffset?> DeclaredDeadAsync(TimeSpan timeout)
    {
        try { return await _watching.WaitAsync(timeout); }
        catch (TimeoutException) { return null; }
    }

    private static async Task<DateTimeOffset?> WatchAsync(IReadOnlyList<Uri> silos, int activeWhenDeclared, CancellationToken token)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        while (!token.IsCancellationRequested)
        {
            foreach (var silo in silos)
            {
                if (await SiloReadiness.ReadAsync(http, silo, token) is { } readiness && readiness.ActiveSilos <= activeWhenDeclared)
                    return DateTimeOffset.UtcNow;
            }
            try { await Task.Delay(100, token); }
            catch (OperationCanceledException) { }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _watching; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
