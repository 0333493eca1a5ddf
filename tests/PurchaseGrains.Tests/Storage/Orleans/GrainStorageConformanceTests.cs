using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using PurchaseGrains.Silo.Storage;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>
/// Orleans' grain storage contract, kept by <see cref="RowGrainStorage"/> on each row store: the ETag is the row
/// version; a read of a grain never written gives the default state, no record and no ETag; and a write or clear from
/// any ETag but the stored one (null meaning "no row") fails with <see cref="InconsistentStateException"/> and changes
/// nothing. Each test gets a fresh, empty store; a subclass per provider says how to make one.
/// </summary>
public abstract partial class GrainStorageConformanceTests : IAsyncLifetime
{
    protected const string StateName = "basket";

    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private StorageNode? _node;

    protected IGrainStorage Storage { get; private set; } = null!;

    /// <summary>Makes a new empty store and returns the configuration that points a provider at it.</summary>
    protected abstract Task<IConfiguration> CreateStoreAsync();

    /// <summary>The row store, registered as the host registers it for this provider (<c>StorageRegistration</c>).</summary>
    protected abstract void AddRowStorage(IServiceCollection services, IConfiguration store);

    /// <summary>The marks of keys just minted, on a clock the tests move.</summary>
    protected FakeTimeProvider Clock { get; } = new();

    protected MintedStateRows Minted { get; }

    protected GrainStorageConformanceTests() => Minted = new MintedStateRows(Clock);

    public async Task InitializeAsync()
    {
        var store = await CreateStoreAsync();
        _node = new StorageNode("node-a", services => AddRowStorage(services, store));
        await _node.Initializer.InitializeAsync([], _deadline.Token);
        // As the silo registers its grain storage (OrleansRegistration.AddPurchaseGrainsDefaults): the adapter over the row store.
        Storage = new RowGrainStorage(_node.Storage, Minted);
    }

    public virtual async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        _deadline.Dispose();
    }

    protected static GrainId NewGrain(string type = "conformance") => GrainId.Create(type, Guid.NewGuid().ToString("N"));

    protected static GrainState<Basket> Holding(Basket state, string? etag = null) => new() { State = state, ETag = etag };

    protected async Task<GrainState<Basket>> ReadAsync(GrainId grain, string stateName = StateName)
    {
        var read = Holding(new Basket());
        await Storage.ReadStateAsync(stateName, grain, read);
        return read;
    }

    /// <summary>Writes <paramref name="state"/> as a new grain and returns what the caller then holds.</summary>
    protected async Task<GrainState<Basket>> CreateAsync(GrainId grain, Basket state, string stateName = StateName)
    {
        var created = Holding(state);
        await Storage.WriteStateAsync(stateName, grain, created);
        return created;
    }

    protected async Task AssertStoredAsync(GrainId grain, Basket state, string? etag)
    {
        var stored = await ReadAsync(grain);
        Assert.True(stored.RecordExists);
        Assert.Equal(state, stored.State);
        Assert.Equal(etag, stored.ETag);
    }

    protected async Task AssertAbsentAsync(GrainId grain)
    {
        var stored = await ReadAsync(grain);
        Assert.False(stored.RecordExists);
        Assert.Null(stored.ETag);
        Assert.Equal(new Basket(), stored.State);
    }

    /// <summary>A grain state as the project's grains have them: a mutable class with a parameterless constructor.</summary>
    public sealed record Basket
    {
        public string Owner { get; set; } = "";
        public int Items { get; set; }
        public List<string> Notes { get; set; } = [];

        public bool Equals(Basket? other) =>
            other is not null && Owner == other.Owner && Items == other.Items && Notes.SequenceEqual(other.Notes);

        public override int GetHashCode() => HashCode.Combine(Owner, Items, Notes.Count);
    }
}
