using Orleans.Runtime;
using Orleans.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

public abstract partial class GrainStorageConformanceTests
{
    [StorageFact]
    public async Task ReadingAGrainNeverWrittenGivesTheDefaultStateNoRecordAndNoETag()
    {
        // What the caller held before (a stale activation's leftovers) must not survive the read.
        var held = Holding(new Basket { Owner = "left over", Items = 3 }, etag: "7");
        held.RecordExists = true;

        await Storage.ReadStateAsync(StateName, NewGrain(), held);

        Assert.False(held.RecordExists);
        Assert.Null(held.ETag);
        Assert.Equal(new Basket(), held.State);
    }

    [StorageFact]
    public async Task WriteThenReadRoundTripsTheStateAndTheETag()
    {
        var grain = NewGrain();
        var basket = new Basket { Owner = "Привет, мир", Items = 2, Notes = ["gift", "fragile"] };

        var written = await CreateAsync(grain, basket);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);
        await AssertStoredAsync(grain, basket, written.ETag);
    }

    [StorageFact]
    public async Task EveryWriteGivesANewETagEvenWhenTheStateIsUnchanged()
    {
        var grain = NewGrain();
        var held = await CreateAsync(grain, new Basket { Owner = "a" });
        var etags = new List<string?> { held.ETag };

        for (var i = 0; i < 3; i++)
        {
            await Storage.WriteStateAsync(StateName, grain, held);
            etags.Add(held.ETag);
        }

        Assert.Equal(4, etags.Distinct().Count());
        await AssertStoredAsync(grain, new Basket { Owner = "a" }, etags[^1]);
    }

    [StorageFact]
    public async Task WriteWithAStaleETagConflictsAndChangesNothing()
    {
        var grain = NewGrain();
        var held = await CreateAsync(grain, new Basket { Owner = "first" });
        var staleETag = held.ETag;
        held.State = new Basket { Owner = "latest", Items = 1 };
        await Storage.WriteStateAsync(StateName, grain, held);

        var stale = Holding(new Basket { Owner = "stale" }, staleETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grain, stale));

        await AssertStoredAsync(grain, new Basket { Owner = "latest", Items = 1 }, held.ETag);
    }

    [StorageFact]
    public async Task WriteOfAGrainNeverWrittenWithAnETagConflictsAndCreatesNothing()
    {
        var grain = NewGrain();

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.WriteStateAsync(StateName, grain, Holding(new Basket { Owner = "ghost" }, etag: "1")));

        await AssertAbsentAsync(grain);
    }

    [StorageFact]
    public async Task WriteWithAnETagThisStoreNeverIssuedConflicts()
    {
        // An ETag from another provider (e.g. state moved between stores) is a conflict, not a parse error.
        var grain = NewGrain();
        var held = await CreateAsync(grain, new Basket { Owner = "kept" });

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.WriteStateAsync(StateName, grain, Holding(new Basket { Owner = "foreign" }, "W/\"datetime'2024-01-01'\"")));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.WriteStateAsync(StateName, grain, Holding(new Basket { Owner = "foreign" }, "-1")));

        await AssertStoredAsync(grain, new Basket { Owner = "kept" }, held.ETag);
    }

    [StorageFact]
    public async Task CreatingAGrainThatAlreadyExistsConflictsAndKeepsTheFirst()
    {
        // A second activation that read "absent" before the first one wrote: its create (null ETag) must fail.
        var grain = NewGrain();
        var first = await CreateAsync(grain, new Basket { Owner = "first" });

        await Assert.ThrowsAsync<InconsistentStateException>(() => CreateAsync(grain, new Basket { Owner = "second" }));

        await AssertStoredAsync(grain, new Basket { Owner = "first" }, first.ETag);
    }

    [StorageFact]
    public async Task TwoWritersFromTheSameETagExactlyOneWins()
    {
        var grains = Enumerable.Range(0, 20).Select(_ => NewGrain()).ToList();
        var etags = await Task.WhenAll(grains.Select(async grain => (await CreateAsync(grain, new Basket { Owner = "base" })).ETag));

        var races = grains.Select((grain, i) => RaceAsync(grain, etags[i]));

        foreach (var (grain, state, etag) in await Task.WhenAll(races))
            await AssertStoredAsync(grain, state, etag);
    }

    [StorageFact]
    public async Task TwoCreatorsOfTheSameGrainExactlyOneWins()
    {
        var races = Enumerable.Range(0, 20).Select(_ => RaceAsync(NewGrain(), etag: null));

        foreach (var (grain, state, etag) in await Task.WhenAll(races))
            await AssertStoredAsync(grain, state, etag);
    }

    [StorageFact]
    public async Task StateNamesAndGrainTypesKeepSeparateRecords()
    {
        var grain = NewGrain("conformance");
        var sameKeyOtherType = GrainId.Create("conformance_other", grain.Key.ToString()!);

        var basket = await CreateAsync(grain, new Basket { Owner = "basket" });
        var wishlist = await CreateAsync(grain, new Basket { Owner = "wishlist" }, stateName: "wishlist");
        var other = await CreateAsync(sameKeyOtherType, new Basket { Owner = "other type" });

        await AssertStoredAsync(grain, new Basket { Owner = "basket" }, basket.ETag);
        Assert.Equal(new Basket { Owner = "wishlist" }, (await ReadAsync(grain, "wishlist")).State);
        Assert.Equal(wishlist.ETag, (await ReadAsync(grain, "wishlist")).ETag);
        await AssertStoredAsync(sameKeyOtherType, new Basket { Owner = "other type" }, other.ETag);
    }

    /// <summary>Two writers holding <paramref name="etag"/> write at once; exactly one may succeed, the other must conflict.</summary>
    private async Task<(GrainId Grain, Basket State, string? ETag)> RaceAsync(GrainId grain, string? etag)
    {
        var baskets = new[] { new Basket { Owner = "left" }, new Basket { Owner = "right" } };
        var writers = baskets.Select(basket => Holding(basket, etag)).ToArray();

        var outcomes = await Task.WhenAll(writers.Select(async writer =>
            await Record.ExceptionAsync(() => Storage.WriteStateAsync(StateName, grain, writer))));

        Assert.Single(outcomes, outcome => outcome is null);
        Assert.IsType<InconsistentStateException>(Assert.Single(outcomes, outcome => outcome is not null));
        var winner = Array.IndexOf(outcomes, null);
        Assert.NotEqual(etag, writers[winner].ETag);
        return (grain, baskets[winner], writers[winner].ETag);
    }
}
