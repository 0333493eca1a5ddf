using Microsoft.AspNetCore.Builder;
using System.Data.Common;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>
/// buy/init when the purchase fails half-way. Found by the PostgreSQL-restart fault test: a buy/init caught by the
/// outage inside the session grain answered 500 "Error during transaction" where every other route answers the
/// storage outage with 503 "retry shortly".
/// </summary>
public class BuyInitFailureTests : SiloSuite
{
    [StorageFact]
    public async Task AStorageOutageDuringThePurchaseIsA503RetryShortly()
    {
        await using var silo = await StartAsync(new LostConnectionException());
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);

        VmApi.AssertError(HttpStatusCode.ServiceUnavailable, "Storage is unavailable; retry shortly", await api.BuyAsync("p1", 1, "user-1"));
    }

    [StorageFact]
    public async Task AnyOtherFailureDuringThePurchaseIsStillErrorDuringTransaction()
    {
        await using var silo = await StartAsync(new InvalidOperationException("mint exploded"));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);

        VmApi.AssertError(HttpStatusCode.InternalServerError, "Error during transaction", await api.BuyAsync("p1", 1, "user-1"));
    }

    [StorageFact]
    public async Task ARetryWithTheSameIdempotencyKeyAfterA503ReachesTheSamePurchaseInsteadOfBuyingAgain()
    {
        var fulfillment = new FailingOnceFulfillment(new LostConnectionException());
        await using var silo = await StartSiloAsync(configure: b => b.Services.AddSingleton<IFulfillmentProvider>(fulfillment));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m, 4m);
        api.Partner.DefaultRequestHeaders.Add("Idempotency-Key", "buy-once");

        // The session recorded its cards before the mint failed: its recovery reminder would finish it anyway.
        VmApi.AssertError(HttpStatusCode.ServiceUnavailable, "Storage is unavailable; retry shortly", await api.BuyAsync("p1", 2, "u"));
        var sessionId = await api.BuyOkAsync("p1", 2, "u");
        var (status, body) = await api.StatusAsync(sessionId);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body["result"]!["nfts"]!.AsArray().Count);
        Assert.Equal(1, fulfillment.Submitted);
        Assert.Equal(2, (await api.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray().Count);
        Assert.Equal(2, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }

    private Task<TestSilo> StartAsync(Exception failure) =>
        StartSiloAsync(configure: b => b.Services.AddSingleton<IFulfillmentProvider>(new FailingFulfillment(failure)));

    /// <summary>Inline like the sandbox, so buy/init runs it inside the session's Init turn, and fails there.</summary>
    private sealed class FailingFulfillment(Exception failure) : IFulfillmentProvider
    {
        public Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken) => Task.FromException<MintSubmission>(failure);

        public Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken) => Task.FromException<MintStatus>(failure);
    }

    /// <summary>The first submission fails with <paramref name="failure"/>; later ones complete like the sandbox.</summary>
    private sealed class FailingOnceFulfillment(Exception failure) : IFulfillmentProvider
    {
        private readonly SandboxFulfillmentProvider _sandbox = new();
        private int _attempts;

        public int Submitted;

        public Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) == 1)
                return Task.FromException<MintSubmission>(failure);
            Interlocked.Increment(ref Submitted);
            return _sandbox.SubmitAsync(operation, cancellationToken);
        }

        public Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken) => _sandbox.GetStatusAsync(mintId, cancellationToken);
    }

    /// <summary>What a database driver throws when its connection is gone.</summary>
    private sealed class LostConnectionException() : DbException("Connection refused");
}

/// <summary>The same scenarios on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class BuyInitFailurePostgresTests(PostgresDatabase database) : BuyInitFailureTests, IClassFixture<PostgresDatabase>
{
    protected override Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null) => PostgresSilos.StartAsync(database, settings, configure);
}
