using Orleans.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

public abstract partial class GrainStorageConformanceTests
{
    [StorageFact]
    public async Task ClearRemovesTheStateAndAReadThenFindsNoRecord()
    {
        var grain = NewGrain();
        var held = await CreateAsync(grain, new Basket { Owner = "gone soon", Items = 4 });
        var writtenETag = held.ETag;

        await Storage.ClearStateAsync(StateName, grain, held);

        Assert.False(held.RecordExists);
        Assert.NotEqual(writtenETag, held.ETag);
        Assert.Equal(new Basket(), held.State);
        await AssertAbsentAsync(grain);
    }

    [StorageFact]
    public async Task AWriteAfterAClearCreatesTheGrainAgain()
    {
        var grain = NewGrain();
        var held = await CreateAsync(grain, new Basket { Owner = "first life" });
        await Storage.ClearStateAsync(StateName, grain, held);
        var clearedETag = held.ETag;

        held.State = new Basket { Owner = "second life" };
        await Storage.WriteStateAsync(StateName, grain, held);

        Assert.True(held.RecordExists);
        Assert.NotEqual(clearedETag, held.ETag);
        await AssertStoredAsync(grain, new Basket { Owner = "second life" }, held.ETag);
    }

    [StorageFact]
    public async Task ClearWithAStaleETagConflictsAndKeepsTheState()
    {
        var grain = NewGrain();
        var held = await CreateAsync(grain, new Basket { Owner = "first" });
        var staleETag = held.ETag;
        held.State = new Basket { Owner = "latest" };
        await Storage.WriteStateAsync(StateName, grain, held);

        var stale = Holding(new Basket { Owner = "first" }, staleETag);
        stale.RecordExists = true;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grain, stale));

        await AssertStoredAsync(grain, new Basket { Owner = "latest" }, held.ETag);
    }

    [StorageFact]
    public async Task ClearWithoutAnETagOfAGrainThatExistsConflictsAndKeepsTheState()
    {
        // The clearer read "absent" before another activation created the row: its picture is stale, as for a write.
        var grain = NewGrain();
        var created = await CreateAsync(grain, new Basket { Owner = "created meanwhile" });

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.ClearStateAsync(StateName, grain, Holding(new Basket())));

        await AssertStoredAsync(grain, new Basket { Owner = "created meanwhile" }, created.ETag);
    }

    [StorageFact]
    public async Task ClearOfAGrainNeverWrittenSucceedsAndRepeatsHarmlessly()
    {
        var grain = NewGrain();
        var held = Holding(new Basket { Owner = "only in memory" });

        await Storage.ClearStateAsync(StateName, grain, held);
        await Storage.ClearStateAsync(StateName, grain, held);

        Assert.False(held.RecordExists);
        Assert.Null(held.ETag);
        Assert.Equal(new Basket(), held.State);
        await AssertAbsentAsync(grain);
    }
}
