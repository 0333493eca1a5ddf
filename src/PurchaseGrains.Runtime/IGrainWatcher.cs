namespace PurchaseGrains.Runtime;

/// <summary>
/// Waits for a grain's next state change, on whichever node it happens. Take the watch before reading the
/// state, so a change between the read and the wait is not missed.
/// </summary>
public interface IGrainWatcher
{
    GrainWatch Watch(GrainId grainId);
}

public abstract class GrainWatch : IDisposable
{
    /// <summary>True when a change arrived since the watch began (or since the last wait returned true).</summary>
    public abstract Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
    public abstract void Dispose();
}

/// <summary>Implemented by every grain reference the factory hands out.</summary>
public interface IGrainReference
{
    GrainId GrainId { get; }
}

public static class GrainReferenceExtensions
{
    public static GrainId GetGrainId(this IGrain grain) =>
        grain is IGrainReference reference ? reference.GrainId
            : throw new ArgumentException("Not a grain reference from IGrainFactory.", nameof(grain));
}
