namespace PurchaseGrains.Grains.Hosting;

/// <summary>Names of the grain storage providers the silo registers.</summary>
public static class GrainStores
{
    /// <summary>The state rows of the configured storage (SQLite or PostgreSQL), with their query rows.</summary>
    public const string Main = "store";
}
