using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class FulfillmentTests
{
    /// <summary>Assigns as the sandbox does; each delivery runs <paramref name="deliver"/> with its attempt number (from 1).</summary>
    private sealed class ScriptedDelivery(Func<int, Task> deliver) : IPurchaseFulfillment
    {
        private readonly SandboxPurchaseFulfillment _sandbox = new();
        public int Deliveries;

        public Task<FulfillmentAssignment> AssignAsync(FulfillmentOrder order, CancellationToken cancellationToken) =>
            _sandbox.AssignAsync(order, cancellationToken);

        public Task DeliverAsync(FulfillmentOrder order, CancellationToken cancellationToken) =>
            deliver(Interlocked.Increment(ref Deliveries));
    }

    private static Task Unavailable() => Task.FromException(new HttpRequestException("transfer service unavailable"));

    [Fact]
    public async Task ADeliveryToRetryLeavesTheIntentAssignedWithItsIdsUntilItCompletes()
    {
        // The first delivery fails; the retry waits until released.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flaky = new ScriptedDelivery(attempt => attempt == 1 ? Unavailable() : release.Task);
        var settings = IntentApi.Settings();
        settings["PurchaseIntents:FulfillmentRetryDelay"] = "00:00:00.200";
        await using var silo = await TestSilo.StartSqliteAsync(settings: settings,
            configure: builder => builder.Services.AddSingleton<IPurchaseFulfillment>(flaky));
        using var api = new IntentApi(silo);
        var listing = await api.CreateListingAsync();
        var id = (await api.CreateIntentAsync(IntentApi.NoPayment("ORGANIZATION", listing, eth: IntentApi.Eth))).GetProperty("id").GetString()!;

        var assigned = await api.WaitForIntentAsync(id, i => i.GetProperty("fulfillment_status").GetString() == "ASSIGNED", "ASSIGNED after a failed delivery");
        release.SetResult();
        var completed = await api.WaitForIntentAsync(id, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "COMPLETED on the retry");

        Assert.Equal(1, assigned.GetProperty("transaction_ids").GetArrayLength());
        Assert.Equal(assigned.GetProperty("transaction_ids")[0].GetString(), completed.GetProperty("transaction_ids")[0].GetString());
    }

    [Fact]
    public async Task AFulfilmentThatKeepsFailingEndsInException()
    {
        var broken = new ScriptedDelivery(_ => Unavailable());
        var settings = IntentApi.Settings();
        settings["PurchaseIntents:FulfillmentMaxAttempts"] = "3";
        await using var silo = await TestSilo.StartSqliteAsync(settings: settings,
            configure: builder => builder.Services.AddSingleton<IPurchaseFulfillment>(broken));
        using var api = new IntentApi(silo);
        var listing = await api.CreateListingAsync();

        var created = await api.CreateIntentAsync(IntentApi.NoPayment("ORGANIZATION", listing, eth: IntentApi.Eth));

        var intent = await api.WaitForIntentAsync(created.GetProperty("id").GetString()!,
            i => i.GetProperty("fulfillment_status").GetString() == "EXCEPTION", "fulfilment EXCEPTION");
        Assert.Equal("CONFIRMED", intent.GetProperty("status").GetString());
        Assert.Equal(1, intent.GetProperty("transaction_ids").GetArrayLength());
        Assert.Equal(3, broken.Deliveries);
        var page = await IntentApi.ReadAsync(await api.Partner.GetAsync("/v1/purchase-intents?fulfillment_status=EXCEPTION"), HttpStatusCode.OK);
        Assert.Equal(1, page.GetProperty("total_results").GetInt64());
    }

    [Fact]
    public async Task ManyIntentsFulfilledAtOnceAreEachCountedOnceInTheirFinalStatus()
    {
        // Fulfilment progress moves each intent's count on its listing; moves that arrive together go in one turn.
        await using var silo = await TestSilo.StartSqliteAsync(settings: IntentApi.Settings());
        using var api = new IntentApi(silo);
        var listing = await api.CreateListingAsync(IntentApi.ListingBody(quantity: 40, providers: ["EMAIL_CLAIM"]));

        var ids = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
            (await api.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, email: $"buyer{i}@example.com"))).GetProperty("id").GetString()!));
        foreach (var id in ids)
            await api.WaitForIntentAsync(id, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");

        Assert.Equal(24, await api.TotalResultsAsync($"listing_id={listing}&fulfillment_status=COMPLETED"));
        Assert.Equal(0, await api.TotalResultsAsync($"listing_id={listing}&fulfillment_status=PENDING,ASSIGNED"));
        Assert.Equal(24, await api.TotalResultsAsync($"listing_id={listing}&status=CONFIRMED"));
    }
}
