using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Tests.Storage;

/// <summary>One node's storage services, built the way a silo builds them, from its own container.</summary>
public sealed class StorageNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public StorageNode(string nodeId, Action<IServiceCollection> addStorage)
    {
        var services = new ServiceCollection();
        services.Configure<SiloOptions>(options => options.NodeId = nodeId);
        addStorage(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        NodeId = nodeId;
    }

    public string NodeId { get; }
    public IGrainStorage Storage => _services.GetRequiredService<IGrainStorage>();
    public IReminderTable Reminders => _services.GetRequiredService<IReminderTable>();
    public IGrainChangeFeed ChangeFeed => _services.GetRequiredService<IGrainChangeFeed>();
    public IIndexQueries Queries => _services.GetRequiredService<IIndexQueries>();
    public IStorageInitializer Initializer => _services.GetRequiredService<IStorageInitializer>();
    public IStorageHealth Health => _services.GetRequiredService<IStorageHealth>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
