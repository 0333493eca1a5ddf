using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Sends published changes from a dedicated connection, one statement per batch. NOTIFY is kept out of the grain
/// write transactions because it takes a global lock at commit that would serialize every write in the cluster.
/// </summary>
internal sealed class PostgresChangeNotifier(NpgsqlDataSource dataSource, string nodeId, ILogger logger)
{
    private const int MaxChangesPerBatch = 2000;

    private readonly Channel<GrainId> _outbox = Channel.CreateBounded<GrainId>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Connected => _connected.Task;

    public void Enqueue(GrainId grainId) => _outbox.Writer.TryWrite(grainId);

    /// <summary>No more changes: <see cref="RunAsync"/> returns once it has sent what is queued.</summary>
    public void Complete() => _outbox.Writer.TryComplete();

    public async Task RunAsync(CancellationToken stopping)
    {
        var backoff = new ReconnectBackoff();
        List<string>? unsent = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                await using var notify = new NpgsqlCommand(
                    $"SELECT pg_notify('{PostgresGrainChangeFeed.Channel}', payload) FROM unnest(@payloads) AS payload", connection);
                var payloads = new NpgsqlParameter<List<string>>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text);
                notify.Parameters.Add(payloads);
                await WarmUpAsync(notify, payloads, stopping);
                MarkConnected(backoff);
                while (true)
                {
                    unsent ??= await NextBatchAsync(stopping);
                    if (unsent is null)
                    {
                        return;
                    }

                    if (unsent.Count > 0)
                    {
                        payloads.TypedValue = unsent;
                        await notify.ExecuteNonQueryAsync(stopping);
                    }

                    unsent = null;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                var delay = backoff.Next();
                PostgresStorageLog.ChangeFeedConnectionFailed(logger, exception, "notifier", delay);
                await ReconnectBackoff.PauseAsync(delay, stopping);
            }
        }
    }

    /// <summary>
    /// Prepares the statement and runs it once with no payload (so nothing is sent): the first real change would
    /// otherwise pay hundreds of milliseconds for Npgsql's first array write and the JIT.
    /// </summary>
    private static async Task WarmUpAsync(NpgsqlCommand notify, NpgsqlParameter<List<string>> payloads, CancellationToken stopping)
    {
        await notify.PrepareAsync(stopping);
        payloads.TypedValue = [];
        await notify.ExecuteNonQueryAsync(stopping);
    }

    private void MarkConnected(ReconnectBackoff backoff)
    {
        if (backoff.Failures > 0)
        {
            PostgresStorageLog.ChangeFeedConnectionRestored(logger, "notifier", backoff.Failures);
        }

        backoff.Reset();
        _connected.TrySetResult();
    }

    private async Task<List<string>?> NextBatchAsync(CancellationToken stopping)
    {
        if (!await _outbox.Reader.WaitToReadAsync(stopping))
        {
            return null;
        }

        var batch = new HashSet<GrainId>();
        while (batch.Count < MaxChangesPerBatch && _outbox.Reader.TryRead(out var grainId))
        {
            batch.Add(grainId);
        }

        return ChangeNotificationPayload.Format(nodeId, batch,
            grainId => PostgresStorageLog.ChangeNotPublishable(logger, grainId));
    }
}
