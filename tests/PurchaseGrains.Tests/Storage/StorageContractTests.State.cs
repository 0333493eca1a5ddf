using System.Text.Json.Nodes;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage;

public abstract partial class StorageContractTests
{
    [StorageFact]
    public async Task ConcurrentWritesEachGetTheirOwnAnswer()
    {
        var grains = Enumerable.Range(0, 150).Select(_ => NewGrain()).ToList();

        var work = grains.Select(async (grain, i) =>
        {
            var created = await Storage.WriteAsync(grain, "s", $$"""{"n":{{i}}}""", null, [], Deadline);
            var updated = await Storage.WriteAsync(grain, "s", $$"""{"n":{{i + 1}}}""", created, [], Deadline);
            return (grain, Versions: new[] { created, updated });
        });
        var results = await Task.WhenAll(work);

        foreach (var (grain, versions) in results)
        {
            var i = grains.IndexOf(grain);
            Assert.Equal([1L, 2L], versions);
            var stored = await Storage.ReadAsync(grain, "s", Deadline);
            Assert.Equal(2, stored!.Version);
            AssertJsonEqual($$"""{"n":{{i + 1}}}""", stored.Payload);
        }
    }

    [StorageFact]
    public async Task ReadingAStateNeverWrittenFindsNothing() =>
        Assert.Null(await Storage.ReadAsync(NewGrain(), "state", Deadline));

    [StorageFact]
    public async Task ReadAfterWriteReturnsTheLatestPayloadAndVersion()
    {
        var grain = NewGrain();

        var created = await Storage.WriteAsync(grain, "state", """{"step":"created"}""", null, [], Deadline);
        var updated = await Storage.WriteAsync(grain, "state", """{"step":"updated","n":2}""", created, [], Deadline);

        Assert.Equal((1L, 2L), (created, updated));
        var stored = await Storage.ReadAsync(grain, "state", Deadline);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Version);
        AssertJsonEqual("""{"step":"updated","n":2}""", stored.Payload);
    }

    [StorageFact]
    public async Task StatesOfOneGrainWithDifferentNamesAreSeparateRows()
    {
        var grain = NewGrain();

        await Storage.WriteAsync(grain, "profile", """{"name":"a"}""", null, [], Deadline);
        await Storage.WriteAsync(grain, "cart", """{"items":[]}""", null, [], Deadline);

        AssertJsonEqual("""{"name":"a"}""", (await Storage.ReadAsync(grain, "profile", Deadline))!.Payload);
        AssertJsonEqual("""{"items":[]}""", (await Storage.ReadAsync(grain, "cart", Deadline))!.Payload);
    }

    [StorageFact]
    public async Task CreatingAStateThatAlreadyExistsConflicts()
    {
        var grain = NewGrain();
        await Storage.WriteAsync(grain, "state", """{"owner":"first"}""", null, [], Deadline);

        await Assert.ThrowsAsync<StateVersionConflictException>(
            () => Storage.WriteAsync(grain, "state", """{"owner":"second"}""", null, [], Deadline));

        var stored = await Storage.ReadAsync(grain, "state", Deadline);
        Assert.Equal(1, stored!.Version);
        AssertJsonEqual("""{"owner":"first"}""", stored.Payload);
    }

    [StorageFact]
    public async Task UpdatingFromAStaleVersionConflictsAndKeepsTheStoredState()
    {
        var grain = NewGrain();
        var first = await Storage.WriteAsync(grain, "state", """{"n":1}""", null, [], Deadline);
        await Storage.WriteAsync(grain, "state", """{"n":2}""", first, [], Deadline);

        await Assert.ThrowsAsync<StateVersionConflictException>(
            () => Storage.WriteAsync(grain, "state", """{"n":99}""", first, [], Deadline));

        var stored = await Storage.ReadAsync(grain, "state", Deadline);
        Assert.Equal(2, stored!.Version);
        AssertJsonEqual("""{"n":2}""", stored.Payload);
    }

    [StorageFact]
    public async Task UpdatingAStateThatDoesNotExistConflicts() =>
        await Assert.ThrowsAsync<StateVersionConflictException>(
            () => Storage.WriteAsync(NewGrain(), "state", "{}", 1, [], Deadline));

    [StorageFact]
    public async Task ClearingAtTheStoredVersionDeletesTheStateAndItsIndexRows()
    {
        var grain = NewGrain();
        var version = await Storage.WriteAsync(grain, "state", "{}", null, [OrderIndex(grain, "open", 10)], Deadline);

        await Storage.ClearAsync(grain, "state", version, [Orders.Name], Deadline);

        Assert.Null(await Storage.ReadAsync(grain, "state", Deadline));
        Assert.Null(await ReadOrderRowAsync(grain));
        await Storage.WriteAsync(grain, "state", """{"again":true}""", null, [], Deadline);
    }

    [StorageFact]
    public async Task ClearingFromAStaleVersionConflictsAndKeepsTheStateAndItsIndexRows()
    {
        var grain = NewGrain();
        var first = await Storage.WriteAsync(grain, "state", "{}", null, [OrderIndex(grain, "open", 10)], Deadline);
        await Storage.WriteAsync(grain, "state", "{}", first, [OrderIndex(grain, "paid", 10)], Deadline);

        await Assert.ThrowsAsync<StateVersionConflictException>(
            () => Storage.ClearAsync(grain, "state", first, [Orders.Name], Deadline));

        Assert.Equal(2, (await Storage.ReadAsync(grain, "state", Deadline))!.Version);
        Assert.Equal("paid", (await ReadOrderRowAsync(grain))!.Status);
    }

    [StorageFact]
    public async Task IndexRowsAreWrittenAndUpdatedWithTheState()
    {
        var grain = NewGrain();
        var other = NewGrain();

        var created = await Storage.WriteAsync(grain, "state", """{"status":"open"}""", null,
            [OrderIndex(grain, "open", 100, 0.5), OrderIndex(other, "shadow", 1)], Deadline);
        var afterCreate = await ReadOrderRowAsync(grain);
        await Storage.WriteAsync(grain, "state", """{"status":"paid"}""", created, [OrderIndex(grain, "paid", 250)], Deadline);
        var afterUpdate = await ReadOrderRowAsync(grain);

        Assert.Equal(("open", 100L, (double?)0.5), (afterCreate!.Status, afterCreate.Amount, afterCreate.Score));
        Assert.Equal(("paid", 250L, (double?)null), (afterUpdate!.Status, afterUpdate.Amount, afterUpdate.Score));
        Assert.Equal("shadow", (await ReadOrderRowAsync(other))!.Status);
        var paid = await Node.Queries.QueryAsync<string>(
            "SELECT grain_key FROM test_orders WHERE status = @status", new { status = "paid" }, Deadline);
        Assert.Equal([grain.Key], paid);
    }

    [StorageFact]
    public async Task ConcurrentWritesWithMixedIndexLayoutsAndStaleVersionsEachGetTheirOwnOutcome()
    {
        // Writes that arrive together may share a statement (PostgreSQL runs same-shaped writes as one): null and
        // non-null columns, extra rows per write and lost races must still land (or not) write by write.
        var grains = Enumerable.Range(0, 120).Select(_ => NewGrain()).ToList();
        var shadows = grains.Select(_ => NewGrain()).ToList();
        var created = await Task.WhenAll(grains.Select((grain, i) =>
            Storage.WriteAsync(grain, "state", $$"""{"n":{{i}}}""", null, [OrderIndex(grain, "open", i, i % 2 == 0 ? null : i)], Deadline)));

        var outcomes = await Task.WhenAll(grains.Select(async (grain, i) =>
        {
            var stale = i % 3 == 0;
            IndexRow[] rows = i % 4 == 0
                ? [OrderIndex(grain, null, -i)]
                : [OrderIndex(grain, $"updated-{i}", i * 10, i / 2.0), OrderIndex(shadows[i], "shadow", i)];
            try
            {
                return await Storage.WriteAsync(grain, "state", $$"""{"n":{{-i}}}""", stale ? created[i] + 5 : created[i], rows, Deadline);
            }
            catch (StateVersionConflictException)
            {
                return -1L;
            }
        }));

        for (var i = 0; i < grains.Count; i++)
        {
            var row = await ReadOrderRowAsync(grains[i]);
            var shadow = await ReadOrderRowAsync(shadows[i]);
            if (i % 3 == 0)
            {
                Assert.Equal(-1L, outcomes[i]);
                Assert.Equal(("open", (long)i, i % 2 == 0 ? null : (double?)i), (row!.Status, row.Amount, row.Score));
                Assert.Null(shadow);
                continue;
            }
            Assert.Equal(2L, outcomes[i]);
            AssertJsonEqual($$"""{"n":{{-i}}}""", (await Storage.ReadAsync(grains[i], "state", Deadline))!.Payload);
            if (i % 4 == 0)
            {
                Assert.Equal((null, (long)-i, (double?)null), (row!.Status, row.Amount, row.Score));
                Assert.Null(shadow);
            }
            else
            {
                Assert.Equal(($"updated-{i}", i * 10L, (double?)(i / 2.0)), (row!.Status, row.Amount, row.Score));
                Assert.Equal("shadow", shadow!.Status);
            }
        }
    }

    [StorageFact]
    public async Task AWriteThatLosesItsVersionRaceWritesNoIndexRows()
    {
        var grain = NewGrain();
        var version = await Storage.WriteAsync(grain, "state", "{}", null, [OrderIndex(grain, "open", 1)], Deadline);

        await Assert.ThrowsAsync<StateVersionConflictException>(
            () => Storage.WriteAsync(grain, "state", "{}", version + 7, [OrderIndex(grain, "stale-update", 2)], Deadline));
        await Assert.ThrowsAsync<StateVersionConflictException>(
            () => Storage.WriteAsync(grain, "state", "{}", null, [OrderIndex(grain, "duplicate-create", 3)], Deadline));

        var row = await ReadOrderRowAsync(grain);
        Assert.Equal(("open", 1L), (row!.Status, row.Amount));
    }

    [StorageFact]
    public async Task IndexTableAndColumnNamesThatAreNotPlainIdentifiersAreRejected()
    {
        var grain = NewGrain();
        IndexRow[][] unsafeRows =
        [
            [new IndexRow("test_orders; DROP TABLE grain_state", grain.Key, new Dictionary<string, object?>())],
            [new IndexRow(Orders.Name, grain.Key, new Dictionary<string, object?> { ["status\" = 'x' --"] = "open" })],
            [new IndexRow("Test_Orders", grain.Key, new Dictionary<string, object?>())],
        ];

        foreach (var rows in unsafeRows)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Storage.WriteAsync(grain, "state", "{}", null, rows, Deadline));
        }

        Assert.Null(await Storage.ReadAsync(grain, "state", Deadline));
    }

    [StorageFact]
    public async Task ConcurrentWritersThatRetryOnConflictLoseNoUpdate()
    {
        const int writers = 24;
        var grain = NewGrain();
        var nodes = new[] { Node, await StartNodeAsync("node-b") };
        await Storage.WriteAsync(grain, "state", """{"count":0}""", null, [OrderIndex(grain, "counting", 0)], Deadline);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => IncrementAsync(nodes[i % nodes.Length].Storage))));

        var stored = await Storage.ReadAsync(grain, "state", Deadline);
        Assert.Equal(writers, Count(stored!.Payload));
        Assert.Equal(writers + 1, stored.Version);
        Assert.Equal(writers, (await ReadOrderRowAsync(grain))!.Amount);

        async Task IncrementAsync(IStateRowStore storage)
        {
            while (true)
            {
                var current = (await storage.ReadAsync(grain, "state", Deadline))!;
                var next = Count(current.Payload) + 1;
                try
                {
                    await storage.WriteAsync(grain, "state", $$"""{"count":{{next}}}""", current.Version,
                        [OrderIndex(grain, "counting", next)], Deadline);
                    return;
                }
                catch (StateVersionConflictException)
                {
                }
            }
        }

        static int Count(string payload) => JsonNode.Parse(payload)!["count"]!.GetValue<int>();
    }
}
