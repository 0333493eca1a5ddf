using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// Where the AzureStorage profile keeps membership, reminders and grain state: either
/// <c>ConnectionStrings:AzureStorage</c> (a storage connection string; <c>UseDevelopmentStorage=true</c> for Azurite on
/// its default ports), or the account's endpoints <c>Storage:AzureStorage:TableEndpoint</c> and
/// <c>Storage:AzureStorage:BlobEndpoint</c> with <see cref="DefaultAzureCredential"/> (managed identity, workload identity,
/// or a developer's Azure CLI login).
/// </summary>
public sealed class AzureStorageSettings
{
    public const string ConnectionStringName = "AzureStorage";

    /// <summary>
    /// The SDK's retry policy waits seconds before it gives up (0.8 s, doubling, 3 times). A grain call waits for its
    /// storage write, and the caller would rather get a 503 at once and retry; so: two quick retries.
    /// </summary>
    private const int MaxRetries = 2;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(10);

    private readonly string? _connectionString;
    private readonly Uri? _tableEndpoint;
    private readonly Uri? _blobEndpoint;
    private readonly Lazy<TokenCredential> _credential = new(() => new DefaultAzureCredential());

    private AzureStorageSettings(string? connectionString, Uri? tableEndpoint, Uri? blobEndpoint, string grainStateTable,
        string grainStateContainer)
    {
        (_connectionString, _tableEndpoint, _blobEndpoint) = (connectionString, tableEndpoint, blobEndpoint);
        (GrainStateTable, GrainStateContainer) = (grainStateTable, grainStateContainer);
    }

    /// <summary>The table of the grain state kept in Table storage (<c>Storage:AzureStorage:GrainStateTable</c>).</summary>
    public string GrainStateTable { get; }

    /// <summary>The blob container of the state kept in Blob storage (<c>Storage:AzureStorage:GrainStateContainer</c>).</summary>
    public string GrainStateContainer { get; }

    public static AzureStorageSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Storage:AzureStorage");
        var table = section["GrainStateTable"] is { Length: > 0 } t ? t : "PurchaseGrainsState";
        var container = section["GrainStateContainer"] is { Length: > 0 } c ? c : "purchasegrains-state";
        if (configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } connectionString)
            return new AzureStorageSettings(connectionString, null, null, table, container);
        if (section["TableEndpoint"] is { Length: > 0 } tableEndpoint && section["BlobEndpoint"] is { Length: > 0 } blobEndpoint)
            return new AzureStorageSettings(null, new Uri(tableEndpoint), new Uri(blobEndpoint), table, container);
        throw new InvalidOperationException(
            "Storage:Provider=AzureStorage needs ConnectionStrings:AzureStorage (UseDevelopmentStorage=true for Azurite), " +
            "or Storage:AzureStorage:TableEndpoint and Storage:AzureStorage:BlobEndpoint for DefaultAzureCredential.");
    }

    public TableServiceClient CreateTableServiceClient()
    {
        var options = new TableClientOptions();
        Tune(options);
        return _connectionString is not null
            ? new TableServiceClient(_connectionString, options)
            : new TableServiceClient(_tableEndpoint!, _credential.Value, options);
    }

    public BlobServiceClient CreateBlobServiceClient()
    {
        var options = new BlobClientOptions();
        Tune(options);
        return _connectionString is not null
            ? new BlobServiceClient(_connectionString, options)
            : new BlobServiceClient(_blobEndpoint!, _credential.Value, options);
    }

    private static void Tune(Azure.Core.ClientOptions options)
    {
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = RetryDelay;
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        options.Retry.NetworkTimeout = NetworkTimeout;
    }
}
