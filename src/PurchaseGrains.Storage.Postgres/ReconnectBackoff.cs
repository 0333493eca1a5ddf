namespace PurchaseGrains.Storage.Postgres;

/// <summary>Doubling delay from 100 ms to 10 s with jitter, so nodes that lost the database together do not return in step.</summary>
internal sealed class ReconnectBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(10);

    public int Failures { get; private set; }

    public TimeSpan Next()
    {
        Failures++;
        var ceiling = Math.Min(Longest.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Min(Failures - 1, 16)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }

    public void Reset() => Failures = 0;

    /// <summary>Waits <paramref name="delay"/>; returns early, without throwing, when stopping.</summary>
    public static async Task PauseAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
