namespace PurchaseGrains.Runtime.Storage;

public readonly record struct GrainChange(GrainId GrainId, string OriginNodeId)
{
    /// <summary>The feed was cut off and may have missed changes: anything may have changed.</summary>
    public static readonly GrainChange Gap = new(default, "");

    public bool IsGap => GrainId == default;
}

/// <summary>
/// Tells every node (this one included) that a grain's state changed: PostgreSQL LISTEN/NOTIFY across nodes,
/// an in-process signal for the embedded store. Best effort: a lost signal only delays a waiter to its timeout.
/// After a disconnection a feed dispatches <see cref="GrainChange.Gap"/> once it is back, so that caches and waiters
/// stop trusting what they did not hear about.
/// </summary>
public interface IGrainChangeFeed
{
    void Publish(GrainId grainId);
    IDisposable Subscribe(Action<GrainChange> onChange);
}
