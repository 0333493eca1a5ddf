namespace PurchaseGrains.Storage;

/// <summary>Creates or migrates the schema at start-up, idempotently and safely when several nodes start together.</summary>
public interface IStorageInitializer
{
    Task InitializeAsync(IReadOnlyList<IndexTable> indexTables, CancellationToken cancellationToken);
}

public interface IStorageHealth
{
    /// <summary>True when the store answers a trivial query within the token's time.</summary>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken);
}
