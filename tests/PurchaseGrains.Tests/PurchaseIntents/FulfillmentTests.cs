using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

public sealed class FulfillmentTests
{
    /// <summary>Assigns, then fails every delivery: the intent must end in fulfillment_status EXCEPTION.</summary>
    private sealed class BrokenDelivery : IPurchaseFulfillment
    {
        private readonly SandboxPurchaseFulfillment _sandbox = new();
        public int Deliveries;

        public Task<FulfillmentAssignment> AssignAsync(FulfillmentOrder order, CancellationToken cancellationToken) =>
            _sandbox.AssignAsync(order, cancellationToken);

        public Task DeliverAsync(FulfillmentOrder order, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Deliveries);
            throw new HttpRequestException("transfer service unavailable");
        }
    }

    [Fact]
    public async Task AFulfilmentThatKeepsFailingEndsInException()
    {
        var broken = new BrokenDelivery();
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
}
