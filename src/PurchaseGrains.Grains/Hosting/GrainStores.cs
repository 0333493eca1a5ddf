namespace PurchaseGrains.Grains.Hosting;

/// <summary>Names of the grain storage providers the silo registers.</summary>
public static class GrainStores
{
    /// <summary>The grain state of the configured storage, with its query rows.</summary>
    public const string Main = "store";

    /// <summary>
    /// State that grows with use and has no bound (a user's inventory, a buyback ledger). On the AzureStorage profile
    /// it goes to Blob storage, where a state may pass the 1 MB a table entity holds; elsewhere it is <see cref="Main"/>.
    /// </summary>
    public const string Growing = "growing";
}
