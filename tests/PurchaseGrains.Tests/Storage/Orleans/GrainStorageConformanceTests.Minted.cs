using Orleans.Storage;
using PurchaseGrains.Silo.Storage;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>Keys marked as just minted (<see cref="MintedStateRows"/>) skip the read; a wrong guess is a conflict, never an overwrite.</summary>
public abstract partial class GrainStorageConformanceTests
{
    [StorageFact]
    public async Task AMintedKeyReadsAsAbsentOnceAndIsThenCreatedAsUsual()
    {
        var grain = NewGrain();
        Minted.Add(RowGrainStorage.RowId(grain));

        await AssertAbsentAsync(grain);
        Assert.False(Minted.TryTake(RowGrainStorage.RowId(grain)), "the first read takes the mark");
        var written = await CreateAsync(grain, new Basket { Owner = "new" });
        await AssertStoredAsync(grain, new Basket { Owner = "new" }, written.ETag);
    }

    [StorageFact]
    public async Task AKeyMarkedAsMintedThatHasARowConflictsOnItsFirstWriteAndKeepsTheRow()
    {
        var grain = NewGrain();
        var stored = await CreateAsync(grain, new Basket { Owner = "first", Items = 1 });
        Minted.Add(RowGrainStorage.RowId(grain));

        var wrong = await ReadAsync(grain);
        Assert.False(wrong.RecordExists);
        wrong.State = new Basket { Owner = "second" };

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, wrong));
        await AssertStoredAsync(grain, new Basket { Owner = "first", Items = 1 }, stored.ETag);
    }

    [StorageFact]
    public async Task AMarkOlderThanItsLifetimeIsIgnored()
    {
        var grain = NewGrain();
        var stored = await CreateAsync(grain, new Basket { Owner = "kept" });
        Minted.Add(RowGrainStorage.RowId(grain));

        Clock.Advance(MintedStateRows.Lifetime);

        await AssertStoredAsync(grain, new Basket { Owner = "kept" }, stored.ETag);
    }
}
