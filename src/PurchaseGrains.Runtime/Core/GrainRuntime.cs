using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Runtime.Telemetry;

namespace PurchaseGrains.Runtime.Core;

/// <summary>
/// This node's activation directory and turn scheduler. Every grain call, reminder tick included, runs here as a
/// turn: one at a time per activation; a turn that loses a version race is re-run on a fresh activation.
/// </summary>
public sealed partial class GrainRuntime : IDisposable
{
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();
    private readonly GrainTypeRegistry _registry;
    private readonly GrainActivator _activator;
    private readonly SiloOptions _options;
    private readonly ILogger<GrainRuntime> _logger;
    private readonly IDisposable _changeSubscription;
    private int _turnsInFlight;

    internal GrainRuntime(
        GrainTypeRegistry registry,
        GrainActivator activator,
        IGrainChangeFeed changeFeed,
        IOptions<SiloOptions> options,
        ILogger<GrainRuntime> logger)
    {
        _registry = registry;
        _activator = activator;
        _options = options.Value;
        _logger = logger;
        _changeSubscription = changeFeed.Subscribe(OnGrainChanged);
    }

    public string NodeId => _options.NodeId;

    public int ActivationCount => _activations.Count;

    public int TurnsInFlight => Volatile.Read(ref _turnsInFlight);

    public GrainTypeRegistry Registry => _registry;

    /// <summary>Runs <paramref name="call"/> as one turn of the grain, re-running it on fresh state after a lost race.</summary>
    public async Task<TResult> RunTurnAsync<TResult>(GrainId grainId, string spanName, Func<Grain, Task<TResult>> call,
        ActivityLink[]? links = null, CancellationToken cancellationToken = default)
    {
        using var activity = GrainDiagnostics.Source.StartActivity(spanName, ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("grain.id", grainId.ToString());
        var outcome = "ok";
        Interlocked.Increment(ref _turnsInFlight);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var activation = _activations.GetOrAdd(grainId, NewActivation);
                await activation.EnterTurnAsync(cancellationToken);
                try
                {
                    if (activation.IsDeactivated)
                        continue;
                    var grain = await activation.EnsureReadyAsync(cancellationToken);
                    return await call(grain);
                }
                catch (InconsistentStateException) when (attempt < _options.MaxTurnRetries)
                {
                    activation.Reset();
                    LogTurnRetried(grainId, spanName, attempt);
                }
                catch
                {
                    activation.Reset();
                    throw;
                }
                finally
                {
                    activation.ExitTurn();
                }
                await Task.Delay(ConflictBackoff(attempt), cancellationToken);
            }
        }
        catch (Exception exception)
        {
            outcome = exception.GetType().Name;
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _turnsInFlight);
            GrainDiagnostics.GrainCalls.Add(1,
                new KeyValuePair<string, object?>("grain.type", grainId.Type),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>Collects activations unused for <see cref="SiloOptions.ActivationIdleTimeout"/>; returns how many.</summary>
    public async Task<int> CollectIdleAsync(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        var cutoff = Environment.TickCount64 - (long)idleFor.TotalMilliseconds;
        var collected = 0;
        foreach (var (grainId, activation) in _activations)
        {
            if (activation.LastUsedTimestamp > cutoff || !activation.TryEnterTurn())
                continue;
            try
            {
                _activations.TryRemove(new KeyValuePair<GrainId, Activation>(grainId, activation));
                await activation.DeactivateAsync(cancellationToken);
                GrainDiagnostics.Activations.Add(-1);
                collected++;
            }
            finally
            {
                activation.ExitTurn();
            }
        }
        return collected;
    }

    /// <summary>Jittered and growing, so nodes racing for one grain stop colliding in lockstep.</summary>
    private static TimeSpan ConflictBackoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(1, 2 << Math.Min(attempt, 7)));

    private Activation NewActivation(GrainId grainId)
    {
        var registration = _registry.ForTypeName(grainId.Type)
            ?? throw new InvalidOperationException($"Unknown grain type '{grainId.Type}'.");
        GrainDiagnostics.Activations.Add(1);
        return new Activation(grainId, id => _activator.Create(id, registration.ImplementationType));
    }

    private void OnGrainChanged(GrainChange change)
    {
        if (change.IsGap)
        {
            foreach (var activation in _activations.Values)
                activation.MarkStale();
        }
        else if (change.OriginNodeId != _options.NodeId && _activations.TryGetValue(change.GrainId, out var activation))
        {
            activation.MarkStale();
        }
    }

    public void Dispose() => _changeSubscription.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Turn {SpanName} on {GrainId} lost a version race (attempt {Attempt}); re-running on fresh state")]
    private partial void LogTurnRetried(GrainId grainId, string spanName, int attempt);
}
