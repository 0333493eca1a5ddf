using System.Diagnostics;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage;

public abstract partial class StorageContractTests
{
    protected static readonly TimeSpan ChangeDeliveryBudget = TimeSpan.FromMilliseconds(100);

    [StorageFact]
    public async Task APublishedChangeReachesSubscribersWithinAHundredMilliseconds()
    {
        await WhenChangeFeedReadyAsync(Node);
        var latencies = new List<TimeSpan>();
        for (var sample = 0; sample < 5; sample++)
        {
            var grain = NewGrain();
            var received = new TaskCompletionSource<GrainChange>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var subscription = Node.ChangeFeed.Subscribe(change =>
            {
                if (change.GrainId == grain)
                {
                    received.TrySetResult(change);
                }
            });

            var clock = Stopwatch.StartNew();
            Node.ChangeFeed.Publish(grain);
            var change = await WithinAsync(received.Task, TimeSpan.FromSeconds(5), $"the change of {grain}");
            latencies.Add(clock.Elapsed);

            Assert.Equal(new GrainChange(grain, Node.NodeId), change);
        }

        LatencyAssert.MedianUnder(ChangeDeliveryBudget, latencies, "change delivery");
    }

    [StorageFact]
    public async Task ADisposedSubscriptionReceivesNoMoreChanges()
    {
        var grain = NewGrain();
        var disposedCalls = 0;
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disposed = Node.ChangeFeed.Subscribe(_ => Interlocked.Increment(ref disposedCalls));
        using var live = Node.ChangeFeed.Subscribe(change =>
        {
            if (change.GrainId == grain)
            {
                received.TrySetResult();
            }
        });
        await WhenChangeFeedReadyAsync(Node);

        disposed.Dispose();
        Node.ChangeFeed.Publish(grain);
        await WithinAsync(received.Task, TimeSpan.FromSeconds(5), $"the change of {grain}");

        Assert.Equal(0, Volatile.Read(ref disposedCalls));
    }
}
