using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Tests.Storage;

/// <summary>
/// What every storage provider must do. Each test gets a fresh, empty store; a subclass per provider says how to
/// make one and how to register the provider. Times are test-controlled: the store never reads its own clock.
/// </summary>
public abstract partial class StorageContractTests : IAsyncLifetime
{
    protected static readonly IndexTable Orders = new(
        "test_orders",
        [new IndexColumn("status", IndexColumnType.Text), new IndexColumn("amount", IndexColumnType.Integer), new IndexColumn("score", IndexColumnType.Real)],
        [new IndexDefinition("test_orders_status", "status"), new IndexDefinition("test_orders_amount_score", "amount", "score")]);

    protected static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);

    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private readonly List<StorageNode> _nodes = [];
    private IConfiguration? _store;

    protected CancellationToken Deadline => _deadline.Token;
    protected StorageNode Node { get; private set; } = null!;
    protected IStateRowStore Storage => Node.Storage;

    /// <summary>Makes a new empty store and returns the configuration that points a provider at it.</summary>
    protected abstract Task<IConfiguration> CreateStoreAsync();

    protected abstract void AddStorage(IServiceCollection services, IConfiguration store);

    protected abstract SqlDialect ExpectedDialect { get; }

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        Node = await StartNodeAsync("node-a");
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _deadline.Dispose();
    }

    /// <summary>Another node on this test's store (or on <paramref name="store"/>), schema initialised.</summary>
    protected async Task<StorageNode> StartNodeAsync(string nodeId, IConfiguration? store = null)
    {
        var node = CreateNode(nodeId, store);
        await node.Initializer.InitializeAsync([Orders], Deadline);
        return node;
    }

    protected StorageNode CreateNode(string nodeId, IConfiguration? store = null)
    {
        var configuration = store ?? _store ?? throw new InvalidOperationException("The store is not created yet.");
        var node = new StorageNode(nodeId, services => AddStorage(services, configuration));
        _nodes.Add(node);
        return node;
    }

    protected static StateRowId NewGrain(string type = "test") => new(type, Guid.NewGuid().ToString("N"));

    protected static void AssertJsonEqual(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected JSON {expected} but found {actual}.");

    /// <summary>Awaits <paramref name="task"/>, failing with <paramref name="what"/> if it takes longer than <paramref name="timeout"/>.</summary>
    protected static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalMilliseconds} ms waiting for {what}.");
        }
    }

    protected static async Task WithinAsync(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalMilliseconds} ms waiting for {what}.");
        }
    }

    protected Task<OrderRow?> ReadOrderRowAsync(StateRowId grain, StorageNode? node = null) =>
        (node ?? Node).Queries.QuerySingleOrDefaultAsync<OrderRow>(
            "SELECT status, amount, score FROM test_orders WHERE grain_key = @key", new { key = grain.Key }, Deadline);

    protected static IndexRow OrderIndex(StateRowId grain, string? status, long amount, double? score = null) =>
        new(Orders.Name, grain.Key, new Dictionary<string, object?> { ["status"] = status, ["amount"] = amount, ["score"] = score });

    public sealed class OrderRow
    {
        public string? Status { get; set; }
        public long Amount { get; set; }
        public double? Score { get; set; }
    }
}
