using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace PurchaseGrains.Runtime.Storage;

/// <summary>The subscriber list behind an <see cref="IGrainChangeFeed"/>: copy-on-write, so dispatch takes no lock.</summary>
public sealed partial class GrainChangeSubscribers(ILogger logger)
{
    private ImmutableArray<Subscription> _subscriptions = [];

    public IDisposable Add(Action<GrainChange> onChange)
    {
        var subscription = new Subscription(this, onChange);
        ImmutableInterlocked.Update(ref _subscriptions, static (all, added) => all.Add(added), subscription);
        return subscription;
    }

    /// <summary>Calls every subscriber; one that throws is logged and does not keep the others from the change.</summary>
    public void Dispatch(GrainChange change)
    {
        foreach (var subscription in _subscriptions)
        {
            try
            {
                subscription.OnChange(change);
            }
            catch (Exception exception)
            {
                LogSubscriberFailed(logger, exception, change.GrainId);
            }
        }
    }

    private void Remove(Subscription subscription) =>
        ImmutableInterlocked.Update(ref _subscriptions, static (all, removed) => all.Remove(removed), subscription);

    [LoggerMessage(Level = LogLevel.Error, Message = "A grain change subscriber failed on {GrainId}")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, GrainId grainId);

    private sealed class Subscription(GrainChangeSubscribers owner, Action<GrainChange> onChange) : IDisposable
    {
        public Action<GrainChange> OnChange { get; } = onChange;

        public void Dispose() => owner.Remove(this);
    }
}
