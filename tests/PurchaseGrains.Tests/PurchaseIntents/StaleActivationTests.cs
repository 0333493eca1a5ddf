using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// A node whose cached intent missed a change notification (its change listener was reconnecting after a database
/// restart) must not act on the stale copy in a reminder tick. Found by the PostgreSQL-restart fault test: intents
/// confirmed as the database came back stayed CONFIRMED with fulfilment PENDING for good, because the fulfil tick
/// landed on a node that still saw them PENDING, returned, and the one-shot reminder was gone.
/// </summary>
public sealed class StaleActivationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AFulfilTickOnANodeThatMissedTheConfirmationStillFulfilsTheIntent()
    {
        var connectionString = await database.CreateSchemaAsync();
        // Twin nodes: a missed notification, on demand. Node A cannot fulfil, so the fulfilment is left to node B.
        var settings = IntentApi.TwinNodeSettings();
        var nodeA = await TestSilo.StartPostgresAsync(connectionString, settings,
            configure: b => b.Services.AddSingleton<IPurchaseFulfillment>(new UnavailableFulfillment()));
        await using var nodeB = await TestSilo.StartPostgresAsync(connectionString, settings);
        using var apiA = new IntentApi(nodeA);
        using var apiB = new IntentApi(nodeB);

        var listing = await apiA.CreateListingAsync();
        var created = await apiA.CreateIntentAsync(IntentApi.Stripe(listing));
        var intent = created.GetProperty("id").GetString()!;
        Assert.Equal("PENDING", (await apiB.GetIntentAsync(intent)).GetProperty("status").GetString()); // B caches it PENDING
        using (var paid = await apiA.SendWebhookAsync("payment_intent.succeeded", created.GetProperty("data").GetProperty("id").GetString()!, intent))
            Assert.True(paid.IsSuccessStatusCode, $"webhook answered {(int)paid.StatusCode}");
        await nodeA.StopAsync(); // its fulfil attempt (if any) failed and was rescheduled; B gets the next tick

        var fulfilled = await apiB.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED",
            "fulfilment COMPLETED by node B's reminder tick");
        Assert.Equal("CONFIRMED", fulfilled.GetProperty("status").GetString());
    }

    private sealed class UnavailableFulfillment : IPurchaseFulfillment
    {
        public Task<FulfillmentAssignment> AssignAsync(FulfillmentOrder order, CancellationToken cancellationToken) =>
            Task.FromException<FulfillmentAssignment>(new HttpRequestException("fulfilment service unavailable"));

        public Task DeliverAsync(FulfillmentOrder order, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
