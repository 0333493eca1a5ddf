using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage;

public abstract partial class StorageContractTests
{
    /// <summary>Both providers' schema steps: 1 the state table (and the first layer's reminders), 2 that reminder table dropped.</summary>
    private static readonly long[] SchemaSteps = [1, 2];

    [StorageFact]
    public async Task InitializingAgainKeepsDataAndRecordsEachSchemaStepOnce()
    {
        var grain = NewGrain();
        await Storage.WriteAsync(grain, "state", """{"kept":true}""", null, [OrderIndex(grain, "open", 5)], Deadline);

        await Node.Initializer.InitializeAsync([Orders], Deadline);
        await Node.Initializer.InitializeAsync([Orders], Deadline);

        AssertJsonEqual("""{"kept":true}""", (await Storage.ReadAsync(grain, "state", Deadline))!.Payload);
        Assert.Equal("open", (await ReadOrderRowAsync(grain))!.Status);
        var steps = await Node.Queries.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version", null, Deadline);
        Assert.Equal(SchemaSteps, steps);
    }

    [StorageFact]
    public async Task ThreeNodesInitializingAFreshStoreTogetherAllSucceed()
    {
        var freshStore = await CreateStoreAsync();
        var nodes = new[] { CreateNode("fresh-a", freshStore), CreateNode("fresh-b", freshStore), CreateNode("fresh-c", freshStore) };

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.Initializer.InitializeAsync([Orders], Deadline))));

        var grain = NewGrain();
        await nodes[0].Storage.WriteAsync(grain, "state", "{}", null, [OrderIndex(grain, "open", 1)], Deadline);
        Assert.Equal("open", (await ReadOrderRowAsync(grain, nodes[2]))!.Status);
        Assert.Equal(SchemaSteps, await nodes[1].Queries.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version", null, Deadline));
    }

    [StorageFact]
    public async Task AnIndexTableGainsColumnsDeclaredLater()
    {
        var grain = NewGrain();
        var withRegion = Orders with { Columns = [.. Orders.Columns, new IndexColumn("region", IndexColumnType.Text)] };

        await Node.Initializer.InitializeAsync([withRegion], Deadline);
        await Storage.WriteAsync(grain, "state", "{}", null,
            [new IndexRow(Orders.Name, grain.Key, new Dictionary<string, object?> { ["status"] = "open", ["region"] = "eu" })], Deadline);

        var region = await Node.Queries.QuerySingleOrDefaultAsync<string>(
            "SELECT region FROM test_orders WHERE grain_key = @key", new { key = grain.Key }, Deadline);
        Assert.Equal("eu", region);
    }

    [StorageFact]
    public async Task APartialIndexIsCreatedAndARetiredIndexDropped()
    {
        var scored = Orders with { Indexes = [.. Orders.Indexes, new IndexDefinition("test_orders_score_set", "score") { OnlyWhereSet = "score" }] };
        await Node.Initializer.InitializeAsync([scored], Deadline);
        Assert.Contains("test_orders_status", await IndexDefinitionsAsync());

        var next = scored with { Indexes = [.. scored.Indexes.Where(i => i.Name != "test_orders_status")], RetiredIndexes = ["test_orders_status"] };
        await Node.Initializer.InitializeAsync([next], Deadline);
        await Node.Initializer.InitializeAsync([next], Deadline);

        var indexes = await IndexDefinitionsAsync();
        Assert.DoesNotContain("test_orders_status", indexes);
        Assert.Matches("WHERE \\(?\"?score\"? IS NOT NULL", indexes["test_orders_score_set"]);
        var grain = NewGrain();
        await Storage.WriteAsync(grain, "state", "{}", null, [OrderIndex(grain, "open", 1, score: null)], Deadline);
        Assert.Equal("open", (await ReadOrderRowAsync(grain))!.Status);
    }

    private async Task<Dictionary<string, string>> IndexDefinitionsAsync()
    {
        var sql = ExpectedDialect == SqlDialect.Postgres
            ? "SELECT indexname AS Name, indexdef AS Definition FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'test_orders'"
            : "SELECT name AS Name, sql AS Definition FROM sqlite_master WHERE type = 'index' AND tbl_name = 'test_orders' AND sql IS NOT NULL";
        var rows = await Node.Queries.QueryAsync<IndexDefinitionRow>(sql, null, Deadline);
        return rows.ToDictionary(r => r.Name, r => r.Definition);
    }

    private sealed class IndexDefinitionRow
    {
        public string Name { get; set; } = "";
        public string Definition { get; set; } = "";
    }

    [StorageFact]
    public async Task AnIndexTableWithAnUnsafeNameIsRejected()
    {
        var unsafeTable = new IndexTable("orders\"; DROP TABLE grain_state; --", [], []);

        await Assert.ThrowsAsync<ArgumentException>(() => Node.Initializer.InitializeAsync([unsafeTable], Deadline));
    }

    [StorageFact]
    public async Task AReachableStoreIsReady() => Assert.True(await Node.Health.IsReadyAsync(Deadline));

    [StorageFact]
    public void IndexQueriesNameTheirDialect() => Assert.Equal(ExpectedDialect, Node.Queries.Dialect);
}
