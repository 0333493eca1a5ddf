using System.Threading.Channels;
using Orleans;

namespace PurchaseGrains.Silo.Idempotency;

/// <summary>
/// Records how a request with an Idempotency-Key ended (its answer, or that it is abandoned) on the key's grain. When
/// that call fails (the grain's silo was just killed, the database is down), the request is not failed for it: the
/// record is retried in the background until it lands, so a retry of the key is not answered 409 "still being
/// processed" for the whole running lease, and an answered request is not run again when the lease ends.
/// </summary>
public sealed partial class IdempotencySettlement(IGrainFactory grains, ILogger<IdempotencySettlement> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private readonly Channel<Settlement> _unsettled = Channel.CreateUnbounded<Settlement>();

    private sealed record Settlement(string GrainKey, string RequestHash, string Run, StoredResponse? Response, DateTimeOffset GiveUpAt);

    /// <summary>Stores the answer of the first run, now or later.</summary>
    public Task CompleteAsync(string grainKey, string requestHash, string run, StoredResponse response) =>
        SettleAsync(new Settlement(grainKey, requestHash, run, response, DateTimeOffset.UtcNow + IdempotencyGrain.RunningLease));

    /// <summary>Frees the key for a retry (the first run failed with a 5xx), now or later.</summary>
    public Task AbandonAsync(string grainKey, string requestHash, string run) =>
        SettleAsync(new Settlement(grainKey, requestHash, run, null, DateTimeOffset.UtcNow + IdempotencyGrain.RunningLease));

    private async Task SettleAsync(Settlement settlement)
    {
        try
        {
            await RecordAsync(settlement);
        }
        catch (Exception exception)
        {
            LogDeferred(exception, settlement.GrainKey);
            _unsettled.Writer.TryWrite(settlement);
        }
    }

    private Task RecordAsync(Settlement settlement)
    {
        var grain = grains.GetGrain<IIdempotencyGrain>(settlement.GrainKey);
        return settlement.Response is { } response
            ? grain.Complete(settlement.RequestHash, settlement.Run, response)
            : grain.Abandon(settlement.RequestHash, settlement.Run);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var settlement in _unsettled.Reader.ReadAllAsync(stoppingToken))
            _ = RetryAsync(settlement, stoppingToken);
    }

    private async Task RetryAsync(Settlement settlement, CancellationToken stoppingToken)
    {
        for (var delay = FirstRetry; DateTimeOffset.UtcNow < settlement.GiveUpAt && !stoppingToken.IsCancellationRequested;
             delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks)))
        {
            try
            {
                await Task.Delay(delay, stoppingToken);
                await RecordAsync(settlement);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogDeferred(exception, settlement.GrainKey);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency record {GrainKey} not written yet; retrying in the background")]
    private partial void LogDeferred(Exception exception, string grainKey);
}
