using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Cross-node change signals over PostgreSQL <c>LISTEN/NOTIFY</c> on channel <c>grain_changes</c>, using two
/// dedicated connections that reconnect with backoff. Starts with the host, or at first use without one.
/// </summary>
public sealed class PostgresGrainChangeFeed : IGrainChangeFeed, IHostedService, IAsyncDisposable, IDisposable
{
    public const string Channel = "grain_changes";

    private static readonly TimeSpan FlushOnStopTimeout = TimeSpan.FromSeconds(2);

    private readonly GrainChangeSubscribers _subscribers;
    private readonly PostgresChangeNotifier _notifier;
    private readonly PostgresChangeListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lifecycle = new();
    private Task _notifying = Task.CompletedTask;
    private Task _listening = Task.CompletedTask;
    private bool _started;

    public PostgresGrainChangeFeed(NpgsqlDataSource dataSource, IOptions<SiloOptions> silo, ILogger<PostgresGrainChangeFeed> logger)
    {
        _subscribers = new GrainChangeSubscribers(logger);
        _notifier = new PostgresChangeNotifier(dataSource, silo.Value.NodeId, logger);
        _listener = new PostgresChangeListener(dataSource, _subscribers, logger);
    }

    public void Publish(GrainId grainId)
    {
        EnsureStarted();
        _notifier.Enqueue(grainId);
    }

    public IDisposable Subscribe(Action<GrainChange> onChange)
    {
        EnsureStarted();
        return _subscribers.Add(onChange);
    }

    /// <summary>Completes once both connections are open and <c>LISTEN</c> is in force: changes published from then on arrive.</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.WhenAll(_notifier.Connected, _listener.Connected).WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    /// <summary>Sends what is still queued (briefly, while the database answers), then closes both connections.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _notifier.Complete();
        await Task.WhenAny(_notifying, Task.Delay(FlushOnStopTimeout, cancellationToken));
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lifecycle)
        {
            _started = true;
        }

        _notifier.Complete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_notifying, _listening);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _started))
        {
            return;
        }

        lock (_lifecycle)
        {
            if (_started)
            {
                return;
            }

            _notifying = Task.Run(() => _notifier.RunAsync(_stopping.Token));
            _listening = Task.Run(() => _listener.RunAsync(_stopping.Token));
            Volatile.Write(ref _started, true);
        }
    }
}
