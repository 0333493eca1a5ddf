namespace PurchaseGrains.Runtime;

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/>, as in Orleans.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName) : Attribute
{
    public string StateName { get; } = stateName;
}

/// <summary>
/// A grain's durable state. Writes are conditional on <see cref="Etag"/>; a lost race throws
/// <see cref="InconsistentStateException"/> and the runtime re-runs the turn on freshly read state.
/// </summary>
public interface IPersistentState<TState> where TState : class, new()
{
    TState State { get; set; }
    string? Etag { get; }
    bool RecordExists { get; }
    Task ReadStateAsync(CancellationToken cancellationToken = default);
    Task WriteStateAsync(CancellationToken cancellationToken = default);
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Implemented by state types that keep query rows in index tables, written in the same transaction.</summary>
public interface IIndexedState
{
    IEnumerable<Storage.IndexRow> GetIndexRows(GrainId grainId);
}

/// <summary>The version read is no longer the stored one: another turn (maybe on another node) wrote first.</summary>
public sealed class InconsistentStateException(string message) : Exception(message);
