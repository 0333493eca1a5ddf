using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.Payments;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// More intents fall due together than <c>PurchaseIntents:ExpiriesAtOnce</c>: the silo expires that many at once, the
/// rest wait their turn, and then every one expires with its hold released.
/// </summary>
public sealed class ExpiryGateTests : SiloSuite
{
    [Fact]
    public async Task IntentsFallingDueTogetherExpireAsManyAtATimeAsConfiguredAndAllExpire()
    {
        var cancellations = new HeldCancellations();
        var settings = IntentApi.Settings();
        settings["PurchaseIntents:ExpiriesAtOnce"] = "2";
        await using var silo = await StartSiloAsync(settings, builder => builder.Services.AddSingleton<IPaymentProvider>(sp =>
            new HeldCancellationProvider(ActivatorUtilities.CreateInstance<SandboxPaymentProvider>(sp), cancellations)));
        using var api = new IntentApi(silo);
        var listing = await api.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 3 } }));
        var intents = new List<string>();
        for (var i = 0; i < 5; i++)
            intents.Add((await api.CreateIntentAsync(IntentApi.Stripe(listing, email: $"buyer{i}@example.com"))).GetProperty("id").GetString()!);

        // An expiry begins by cancelling the PaymentIntent, held here: two begin, the other three wait at the gate.
        try
        {
            await cancellations.FirstHeld.WaitAsync(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(() => cancellations.Count >= 2, TimeSpan.FromSeconds(5), "a second expiry to begin");
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(2, cancellations.Count);
            Assert.Equal(new ListingCounters(10, 5, 5, 0), await api.CountersAsync(listing));
        }
        finally
        {
            cancellations.Release();
        }
        foreach (var intent in intents)
            await Eventually.TrueAsync(async () => (await api.ReminderNamesAsync(intent)).Count == 0, TimeSpan.FromSeconds(10), $"{intent} to expire");
        Assert.Equal(5, cancellations.Count);
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await api.CountersAsync(listing));
        foreach (var intent in intents)
            Assert.Equal("EXPIRED", (await api.GetIntentAsync(intent)).GetProperty("status").GetString());
    }
}
