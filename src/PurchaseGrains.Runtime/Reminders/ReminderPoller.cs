using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PurchaseGrains.Runtime.Core;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Runtime.Telemetry;

namespace PurchaseGrains.Runtime.Reminders;

/// <summary>
/// Claims due reminders with a lease (any node may claim any row) and delivers each as a normal grain turn.
/// Success advances or deletes the row; a failure is retried with backoff; a crashed node's lease lapses
/// and another node delivers the tick. At least once, so handlers are idempotent per tick.
/// </summary>
public sealed partial class ReminderPoller(
    IReminderTable table,
    IServiceProvider services,
    TimeProvider timeProvider,
    IOptions<SiloOptions> siloOptions,
    IOptions<ReminderOptions> reminderOptions,
    ILogger<ReminderPoller> logger) : BackgroundService
{
    private readonly ReminderOptions _options = reminderOptions.Value;
    private readonly string _nodeId = siloOptions.Value.NodeId;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Channel<CompletedTick> _completions = Channel.CreateUnbounded<CompletedTick>(new() { SingleReader = true });
    private Task _recordingCompletions = Task.CompletedTask;
    private SemaphoreSlim? _slots;
    private GrainRuntime? _runtime;
    private volatile bool _crashed;

    /// <summary>A reminder just registered is due now: poll at once instead of at the next interval.</summary>
    internal void NotifyRegistered(DateTimeOffset dueAt)
    {
        if (dueAt <= timeProvider.GetUtcNow() && _wake.CurrentCount == 0)
        {
            try { _wake.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _runtime = services.GetRequiredService<GrainRuntime>();
        _slots = new SemaphoreSlim(_options.MaxConcurrentTicks, _options.MaxConcurrentTicks);
        _recordingCompletions = RecordCompletionsAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            var moreMayBeDue = false;
            try
            {
                moreMayBeDue = await ClaimAndDispatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                LogPollFailed(exception);
                await DelayOrWakeAsync(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }
            if (!moreMayBeDue)
                await DelayOrWakeAsync(_options.PollInterval, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_slots is null || _crashed)
            return;
        for (var i = 0; i < _options.MaxConcurrentTicks; i++)
            await _slots.WaitAsync(cancellationToken);
        _completions.Writer.TryComplete();
        await _recordingCompletions.WaitAsync(cancellationToken);
        await table.ReleaseLeasesAsync(_nodeId, cancellationToken);
    }

    /// <summary>Test hook: stop claiming and keep every lease, as a killed process would.</summary>
    internal void SimulateCrash() => _crashed = true;

    /// <summary>
    /// Claims as many due ticks as there are free delivery slots, waiting under a backlog until a quarter of them are
    /// free; true when the claim came back full.
    /// </summary>
    /// <remarks>
    /// A claim walks past every due row still leased (being delivered, or delivered and not yet recorded): claiming
    /// each time one slot frees up walked past about a thousand rows for every few it took.
    /// </remarks>
    private async Task<bool> ClaimAndDispatchAsync(CancellationToken stoppingToken)
    {
        var floor = Math.Max(1, Math.Min(_options.MaxConcurrentTicks / 4, _options.BatchSize));
        var taken = 0;
        try
        {
            for (; taken < floor; taken++)
                await _slots!.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (taken > 0)
        {
            _slots!.Release(taken);
            throw;
        }
        var wanted = Math.Min(_slots!.CurrentCount + floor, _options.BatchSize);
        _slots.Release(floor);
        if (_crashed)
            return false;

        var now = timeProvider.GetUtcNow();
        var due = await table.ClaimDueAsync(_nodeId, now, _options.Lease, wanted, stoppingToken);
        foreach (var tick in due)
        {
            await _slots.WaitAsync(stoppingToken);
            _ = DeliverAsync(tick);
        }
        return due.Count == wanted;
    }

    private async Task DeliverAsync(ReminderEntry tick)
    {
        try
        {
            var started = timeProvider.GetUtcNow();
            GrainDiagnostics.ReminderLateness.Record((started - tick.DueAt).TotalMilliseconds,
                new KeyValuePair<string, object?>("grain.type", tick.GrainId.Type));
            var outcome = await TryDeliverAsync(tick);
            if (_crashed)
                return;
            if (outcome is null)
            {
                var next = ReminderSchedule.NextDueAt(tick.DueAt, tick.Period, timeProvider.GetUtcNow());
                _completions.Writer.TryWrite(new CompletedTick(tick, next));
            }
            else
            {
                var retryAt = timeProvider.GetUtcNow() + ReminderSchedule.RetryBackoff(tick.Attempt, _options.MaxRetryBackoff);
                LogTickFailed(outcome, tick.GrainId, tick.Name, tick.Attempt + 1, retryAt);
                await table.RetryTickAsync(tick, retryAt, CancellationToken.None);
            }
        }
        catch (Exception exception)
        {
            // The lease lapses and the tick is delivered again: at-least-once.
            LogTickBookkeepingFailed(exception, tick.GrainId, tick.Name);
        }
        finally
        {
            _slots!.Release();
        }
    }

    private async Task<Exception?> TryDeliverAsync(ReminderEntry tick)
    {
        var registration = _runtime!.Registry.ForTypeName(tick.GrainId.Type);
        if (registration is null || !typeof(IRemindable).IsAssignableFrom(registration.ImplementationType))
        {
            GrainDiagnostics.ReminderTicks.Add(1, new KeyValuePair<string, object?>("outcome", "unknown_grain"));
            return new InvalidOperationException($"Grain type '{tick.GrainId.Type}' is unknown here or not remindable.");
        }
        ActivityLink[]? links = ActivityContext.TryParse(tick.TraceParent, null, out var registeredIn)
            ? [new ActivityLink(registeredIn)]
            : null;
        var status = new TickStatus(tick.FirstTickAt, tick.Period, tick.DueAt);
        try
        {
            await _runtime.RunTurnAsync(tick.GrainId, "IRemindable/ReceiveReminder", async grain =>
            {
                Activity.Current?.SetTag("reminder.name", tick.Name);
                await ((IRemindable)grain).ReceiveReminder(tick.Name, status);
                return true;
            }, links);
            GrainDiagnostics.ReminderTicks.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
            return null;
        }
        catch (Exception exception)
        {
            GrainDiagnostics.ReminderTicks.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            return exception;
        }
    }

    /// <summary>
    /// Records delivered ticks many to a statement: one commit per tick would cap delivery at the database's commit
    /// rate. Until recorded, a tick stays leased to this node; if the node dies first, it is delivered again.
    /// </summary>
    private async Task RecordCompletionsAsync()
    {
        var batch = new List<CompletedTick>(MaxCompletionsPerStatement);
        while (await _completions.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxCompletionsPerStatement && _completions.Reader.TryRead(out var completed))
                batch.Add(completed);
            if (_crashed)
                return;
            try
            {
                await table.CompleteTicksAsync(batch, CancellationToken.None);
            }
            catch (Exception exception)
            {
                LogCompletionsFailed(exception, batch.Count);
            }
            batch.Clear();
        }
    }

    private const int MaxCompletionsPerStatement = 1000;

    private async Task DelayOrWakeAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await _wake.WaitAsync(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder poll failed; retrying in 1 s")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {ReminderName} on {GrainId} failed (attempt {Attempt}); retry at {RetryAt:O}")]
    private partial void LogTickFailed(Exception exception, GrainId grainId, string reminderName, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} delivered reminder ticks; their leases will lapse and they will be delivered again")]
    private partial void LogCompletionsFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the outcome of reminder {ReminderName} on {GrainId}; its lease will lapse and it will be delivered again")]
    private partial void LogTickBookkeepingFailed(Exception exception, GrainId grainId, string reminderName);
}
