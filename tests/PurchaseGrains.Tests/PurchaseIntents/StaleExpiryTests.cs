using Npgsql;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>
/// The expiry tick of a PENDING intent acts on the node's cached copy without reading it first. Here that copy is
/// stale: another node was paid for the intent and fulfilled it, and this node never heard (twin nodes,
/// <see cref="IntentApi.TwinNodeSettings"/>). The tick's steps must leave nothing behind: the intent stays CONFIRMED
/// and COMPLETED, and the listing keeps counting it there.
/// </summary>
public sealed class StaleExpiryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AnExpiryTickOnACopyThatMissedThePaymentAndTheFulfilmentChangesNothing()
    {
        var connectionString = await database.CreateSchemaAsync();
        var settings = IntentApi.TwinNodeSettings();
        // Node A claims ticks only when a reminder it registers is due at once, so the tick lands on it when we say.
        await using var nodeA = await TestSilo.StartPostgresAsync(connectionString,
            new Dictionary<string, string?>(settings) { ["Reminders:PollInterval"] = "01:00:00" });
        var nodeB = await TestSilo.StartPostgresAsync(connectionString, settings);
        using var apiA = new IntentApi(nodeA);
        using var apiB = new IntentApi(nodeB);

        var listing = await apiA.CreateListingAsync(IntentApi.ListingBody(policy: new { type = "FCFS", payment_session_duration = new { timeout_seconds = 5 } }));
        var created = await apiA.CreateIntentAsync(IntentApi.Stripe(listing)); // A caches it PENDING
        var (intent, expiresAt) = (created.GetProperty("id").GetString()!, created.GetProperty("expires_at").GetDateTimeOffset());
        using (var paid = await apiB.SendWebhookAsync("payment_intent.succeeded", created.GetProperty("data").GetProperty("id").GetString()!, intent))
            Assert.True(paid.IsSuccessStatusCode, $"webhook answered {(int)paid.StatusCode}");
        await apiB.WaitForIntentAsync(intent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "COMPLETED on node B");
        await nodeB.StopAsync();
        Assert.True(DateTimeOffset.UtcNow < expiresAt, "node B finished after the expiration; the tick may not have reached node A");

        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200));
        // An intent sold at once registers a reminder due now, which wakes A's poller: it claims both due ticks.
        var other = (await apiA.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", listing, email: "other@example.com"))).GetProperty("id").GetString()!;
        await apiA.WaitForIntentAsync(other, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "the second intent COMPLETED on node A");
        await Eventually.TrueAsync(async () => await RemindersOfAsync(connectionString, intent) == 0, TimeSpan.FromSeconds(10),
            "the expiry tick delivered on node A");

        var settled = await apiA.GetIntentAsync(intent);
        Assert.Equal(("CONFIRMED", "COMPLETED"), (settled.GetProperty("status").GetString(), settled.GetProperty("fulfillment_status").GetString()));
        Assert.Equal(2, await apiA.TotalResultsAsync("fulfillment_status=COMPLETED"));
        Assert.Equal(0, await apiA.TotalResultsAsync("fulfillment_status=PENDING"));
        Assert.Equal(0, await apiA.TotalResultsAsync("status=EXPIRED"));
        Assert.Equal(new ListingCounters(10, 8, 0, 2), await apiA.CountersAsync(listing));
    }

    private static async Task<long> RemindersOfAsync(string connectionString, string intent)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM grain_reminders WHERE grain_key = @intent", connection);
        command.Parameters.AddWithValue("intent", intent);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
