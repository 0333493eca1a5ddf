namespace PurchaseGrains.Runtime.Storage;

public readonly record struct GrainChange(GrainId GrainId, string OriginNodeId);

/// <summary>
/// Tells every node (this one included) that a grain's state changed: PostgreSQL LISTEN/NOTIFY across nodes,
/// an in-process signal for the embedded store. Best effort: a lost signal only delays a waiter to its timeout.
/// </summary>
public interface IGrainChangeFeed
{
    void Publish(GrainId grainId);
    IDisposable Subscribe(Action<GrainChange> onChange);
}
