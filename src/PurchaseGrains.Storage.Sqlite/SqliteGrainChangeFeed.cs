using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Sqlite;

/// <summary>The embedded store serves one node, so a change only has to reach this process's subscribers.</summary>
internal sealed class SqliteGrainChangeFeed(IOptions<SiloOptions> silo, ILogger<SqliteGrainChangeFeed> logger) : IGrainChangeFeed
{
    private readonly string _nodeId = silo.Value.NodeId;
    private readonly GrainChangeSubscribers _subscribers = new(logger);

    public void Publish(GrainId grainId) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static state => state.Subscribers.Dispatch(state.Change),
            (Subscribers: _subscribers, Change: new GrainChange(grainId, _nodeId)),
            preferLocal: false);

    public IDisposable Subscribe(Action<GrainChange> onChange) => _subscribers.Add(onChange);
}
