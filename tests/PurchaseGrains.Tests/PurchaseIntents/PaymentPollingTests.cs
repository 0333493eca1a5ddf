using System.Net;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>The sandbox changes a PaymentIntent without any webhook: only the intent's polling reminder can find out.</summary>
public sealed class PaymentPollingTests : IAsyncLifetime
{
    private TestSilo _silo = null!;
    private IntentApi _api = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartSqliteAsync(settings: IntentApi.Settings(pollInterval: TimeSpan.FromMilliseconds(200)));
        _api = new IntentApi(_silo);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task PollingFindsAPaymentWhoseWebhookNeverCame()
    {
        var listing = await _api.CreateListingAsync();
        var created = await _api.CreateIntentAsync(IntentApi.Stripe(listing));
        var (intent, paymentIntent) = (created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);

        var succeeded = await IntentApi.ReadAsync(await _api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/succeed", null), HttpStatusCode.OK);
        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());

        var confirmed = await _api.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED",
            "CONFIRMED and fulfilled by polling", TimeSpan.FromSeconds(5));
        Assert.Equal("CONFIRMED", confirmed.GetProperty("status").GetString());
        Assert.Equal(new ListingCounters(10, 9, 0, 1), await _api.CountersAsync(listing));
    }

    [Fact]
    public async Task PolledFailuresCountAgainstTheBudget()
    {
        var listing = await _api.CreateListingAsync();
        var created = await _api.CreateIntentAsync(IntentApi.Stripe(listing));
        var (intent, paymentIntent) = (created.GetProperty("id").GetString()!, created.GetProperty("data").GetProperty("id").GetString()!);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await _api.Admin.PostAsync($"/sandbox/v1/payment-intents/{paymentIntent}/fail", null)).StatusCode);

        await _api.WaitForIntentAsync(intent, i => i.GetProperty("status").GetString() == "UNRESOLVED", "UNRESOLVED after 3 polled failures", TimeSpan.FromSeconds(5));
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await _api.CountersAsync(listing));
    }

    [Fact]
    public async Task AnIntentExpiresWithinASecondOfItsExpiration()
    {
        var listing = await _api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 1 } }));
        var created = await _api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 2));
        var expiresAt = created.GetProperty("expires_at").GetDateTimeOffset();

        await _api.WaitForIntentAsync(created.GetProperty("id").GetString()!, i => i.GetProperty("status").GetString() == "EXPIRED", "EXPIRED");

        Assert.InRange(DateTimeOffset.UtcNow, expiresAt, expiresAt.AddSeconds(1));
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await _api.CountersAsync(listing));
    }
}
