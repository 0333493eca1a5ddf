using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// A hold batch with a refusal decides again on a fresh read of the listing. Found in CI by
/// <see cref="PurchaseIntentClusterTests.MaxPerUserHoldsWhenOneBuyerRacesOnThreeSilos"/> (three intents for a
/// max_per_user of 2): the second decision reused the ledger read before that fresh state, so holds committed in
/// between were in the state's version but not in the buyer's total, and the write, checked against that version,
/// went through.
/// </summary>
public sealed class ListingHoldRaceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Partner = "a";

    [PostgresFact]
    public async Task HoldsCommittedOnAnotherNodeWhileABatchIsDecidedCountTowardsMaxPerUser()
    {
        var connectionString = await database.CreateSchemaAsync();
        await using var nodeA = await TestSilo.StartPostgresAsync(connectionString, IntentApi.Settings());
        var afterLedgerRead = new AfterLedgerRead();
        await using var nodeB = await TestSilo.StartPostgresAsync(connectionString, IntentApi.Settings(),
            configure: builder => builder.Host.UseServiceProviderFactory(new DecoratingFactory(afterLedgerRead)));
        using var api = new IntentApi(nodeA);
        var listing = await api.CreateListingAsync(IntentApi.ListingBody(quantity: 50, policy: new { type = "FCFS", max_per_user = 2 }));
        var onB = nodeB.RuntimeGrains.GetGrain<IListingGrain>(listing);
        Assert.NotNull(await onB.Get(Partner)); // node B's activation has the listing with nothing held

        // Node B's batch reads the ledger (nothing held yet); then, before it decides, node A holds the buyer's two units.
        afterLedgerRead.Once = () => nodeA.RuntimeGrains.GetGrain<IListingGrain>(listing).HoldMany([Hold("a-1"), Hold("a-2")]);
        var results = await onB.HoldMany([Hold("b-1"), Hold("b-2"), Hold("b-3")]);

        Assert.All(results, result => Assert.Equal("Buyer would exceed the limit of 2 per user", result.Refusal?.Message));
        Assert.Equal(new ListingCounters(50, 48, 2, 0), await api.CountersAsync(listing));
    }

    private static HoldRequest Hold(string intentId)
    {
        var buyer = BuyerRules.Resolve(PaymentProvider.Stripe, new Buyer("same@x.io", null)).Identity!;
        var bucket = new IntentBucket(IntentStatus.Pending, PaymentProvider.Stripe, FulfillmentStatus.Pending, buyer.Method).Key;
        return new HoldRequest(intentId, Partner, PaymentProvider.Stripe, buyer, 1, SellNow: false, bucket);
    }

    /// <summary>Runs <see cref="Once"/> (then forgets it) after the next ledger query has read its rows.</summary>
    private sealed class AfterLedgerRead
    {
        public Func<Task>? Once { get; set; }

        public async Task RunAsync(string sql)
        {
            if (sql.Contains("FROM listing_holds", StringComparison.Ordinal) && Once is { } action)
            {
                Once = null;
                await action();
            }
        }
    }

    private sealed class InterleavedIndexQueries(IIndexQueries inner, AfterLedgerRead afterLedgerRead) : IIndexQueries
    {
        public SqlDialect Dialect => inner.Dialect;

        public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
        {
            var rows = await inner.QueryAsync<T>(sql, parameters, cancellationToken);
            await afterLedgerRead.RunAsync(sql);
            return rows;
        }

        public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
            inner.QuerySingleOrDefaultAsync<T>(sql, parameters, cancellationToken);
    }

    /// <summary>Wraps the storage's <see cref="IIndexQueries"/> once every registration is in (the silo registers it after the test's hook runs).</summary>
    private sealed class DecoratingFactory(AfterLedgerRead afterLedgerRead) : IServiceProviderFactory<IServiceCollection>
    {
        public IServiceCollection CreateBuilder(IServiceCollection services)
        {
            var registered = services.Last(d => d.ServiceType == typeof(IIndexQueries));
            services.Remove(registered);
            services.AddSingleton<IIndexQueries>(provider => new InterleavedIndexQueries(
                (IIndexQueries)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!), afterLedgerRead));
            return services;
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => containerBuilder.BuildServiceProvider();
    }
}
