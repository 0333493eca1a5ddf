using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// A DELETE needs no Idempotency-Key to survive a handover: when its grain call cancelled the intent but the answer was
/// lost with a silo leaving the cluster, the silo runs it again, and the intent, knowing which request cancelled it,
/// answers 204 as the first run did. Any other DELETE of that intent still gets 409.
/// </summary>
public sealed class CancelHandoverTests
{
    [Fact]
    public async Task ADeleteWhoseAnswerWasLostToAHandoverIsRunAgainAndAnsweredAsItsFirstRunWas()
    {
        var lostAnswer = new FirstAnswerLost(nameof(IPurchaseIntentGrain.Cancel));
        await using var silo = await TestSilo.StartSqliteAsync(settings: IntentApi.Settings(),
            configure: builder => builder.Services.AddSingleton<IOutgoingGrainCallFilter>(lostAnswer));
        using var api = new IntentApi(silo);
        var listing = await api.CreateListingAsync(IntentApi.ListingBody());
        var intent = (await api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;

        var delete = await api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.True(lostAnswer.Lost);
        Assert.Equal("CANCELLED", (await api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await api.CountersAsync(listing));
        var another = await api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}");
        Assert.Equal(HttpStatusCode.Conflict, another.StatusCode);
    }
}
