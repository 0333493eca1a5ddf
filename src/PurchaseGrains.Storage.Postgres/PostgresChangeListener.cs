using Microsoft.Extensions.Logging;
using Npgsql;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Holds a dedicated connection in <c>LISTEN</c> and hands every change, this node's own included, to the
/// subscribers. The connection's KeepAlive makes a silently dead link surface as an error, then a reconnect.
/// </summary>
internal sealed class PostgresChangeListener(NpgsqlDataSource dataSource, GrainChangeSubscribers subscribers, ILogger logger)
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Connected => _connected.Task;

    public async Task RunAsync(CancellationToken stopping)
    {
        var backoff = new ReconnectBackoff();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresGrainChangeFeed.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                if (backoff.Failures > 0)
                {
                    PostgresStorageLog.ChangeFeedConnectionRestored(logger, "listener", backoff.Failures);
                    subscribers.Dispatch(GrainChange.Gap);
                }

                backoff.Reset();
                _connected.TrySetResult();
                while (true)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                var delay = backoff.Next();
                PostgresStorageLog.ChangeFeedConnectionFailed(logger, exception, "listener", delay);
                await ReconnectBackoff.PauseAsync(delay, stopping);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        if (notification.Channel != PostgresGrainChangeFeed.Channel)
        {
            return;
        }

        foreach (var change in ChangeNotificationPayload.Parse(notification.Payload))
        {
            subscribers.Dispatch(change);
        }
    }
}
