using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Tests.Storage;

/// <summary>One node's storage services, built the way a silo builds them, from its own container.</summary>
public sealed class StorageNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public StorageNode(string nodeId, Action<IServiceCollection> addStorage)
    {
        var services = new ServiceCollection();
        addStorage(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        NodeId = nodeId;
    }

    public string NodeId { get; }
    public IStateRowStore Storage => _services.GetRequiredService<IStateRowStore>();
    public IIndexQueries Queries => _services.GetRequiredService<IIndexQueries>();
    public IStorageInitializer Initializer => _services.GetRequiredService<IStorageInitializer>();
    public IStorageHealth Health => _services.GetRequiredService<IStorageHealth>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
