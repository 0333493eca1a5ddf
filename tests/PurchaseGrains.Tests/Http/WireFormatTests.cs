using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PurchaseGrains.Grains;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.PurchaseIntents;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Http;

/// <summary>USD amounts and timestamps look the same on every route that writes them (docs/api.md, "Formats").</summary>
public sealed class WireFormatTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartSqliteAsync(settings: IntentApi.Settings());

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task ABuybackPriceHasTwoDecimalsInItemsTheInventoryRecentPullsAndTheBuyback()
    {
        var api = new VmApi(_silo);
        await api.PutPackAsync("p1", buybackPercent: 0.5m);
        await api.AddCardsAsync("p1", "c", 12.4m); // buyback_price 6.2, which must read 6.20 everywhere

        var init = await RawAsync(await api.Partner.PostAsJsonAsync("/api/v1/vm/buy/init", new { id = "p1", amount = 1, user_id = "u" }));
        var sessionId = JsonDocument.Parse(init).RootElement.GetProperty("session_id").GetString();
        var status = await RawAsync(await api.Partner.PostAsJsonAsync("/api/v1/vm/buy/status", new { session_id = sessionId }));
        var inventory = await RawAsync(await api.Partner.GetAsync("/api/v1/inventory/u"));
        var pulls = await RawAsync(await api.Partner.GetAsync("/api/v1/vm/recent-pulls"));
        var card = await RawAsync(await api.Partner.GetAsync("/api/v1/card/c-0"));
        var packs = await RawAsync(await api.Partner.GetAsync("/api/v1/vm/available"));
        var buyback = await RawAsync(await api.Partner.PostAsJsonAsync("/api/v1/vm/buyback", new { item_id = "c-0" }));

        Assert.Contains("\"buyback_price\":6.20,", init);
        Assert.Contains("\"buyback_price\":6.20,", status);
        Assert.Contains("\"buyback_price\":6.20,", inventory);
        Assert.Contains("\"value\":12.40,\"buyback_price\":6.20,", pulls);
        Assert.Contains("\"fmv\":12.40,", card);
        Assert.Contains("\"mint_price\":25.00,", packs);
        Assert.Equal("""{"success":true,"amount":6.20}""", buyback);
    }

    [Fact]
    public async Task EveryTimestampOfBothDialectsIsUtcWithSixFractionDigits()
    {
        var vm = new VmApi(_silo);
        await vm.PutPackAsync("p1");
        await vm.AddCardsAsync("p1", "c", 1m);
        await vm.BuyOkAsync("p1", 1, "u");
        using var intents = new IntentApi(_silo);
        var listing = await RawAsync(await intents.Admin.PostAsJsonAsync("/v1/listings",
            IntentApi.ListingBody(start: DateTimeOffset.UtcNow.AddMinutes(-1), end: new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)))));
        var listingId = JsonDocument.Parse(listing).RootElement.GetProperty("id").GetString()!;
        var created = await RawAsync(await intents.PostIntentAsync(IntentApi.Stripe(listingId)));
        var intentId = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString();

        var bodies = new[]
        {
            await RawAsync(await vm.Partner.GetAsync("/api/v1/vm/available")),
            await RawAsync(await vm.Partner.GetAsync("/api/v1/vm/recent-pulls")),
            await RawAsync(await vm.Partner.GetAsync("/api/v1/inventory/u")),
            listing,
            await RawAsync(await intents.Partner.GetAsync("/v1/listings")),
            created,
            await RawAsync(await intents.Partner.GetAsync($"/v1/purchase-intents/{intentId}")),
            await RawAsync(await intents.Partner.GetAsync("/v1/purchase-intents")),
        };
        var timestamps = bodies.SelectMany(TimestampsIn).ToList();

        Assert.Equal(["buyback_expires_at", "created_at", "end_time", "ev_updated_at", "expiration", "expires_at", "purchased_at", "start_time"],
            timestamps.Select(t => t.Name).Distinct().Order());
        Assert.All(timestamps, t => Assert.Matches(WireFormats.Timestamp, t.Value));
        Assert.Contains(timestamps, t => t is { Name: "end_time", Value: "2098-12-31T22:00:00.000000+00:00" });
        // Written as the docs show it, plus sign and all, not escaped as \u002B.
        Assert.All(bodies, body => Assert.DoesNotContain("\\u002B", body));
    }

    [Theory]
    [InlineData("2023-01-26T14:02:10.352195+00:00", "2023-01-26T14:02:10.352195+00:00")] // the Phosphor page's created_at
    [InlineData("2023-01-26T14:02:10Z", "2023-01-26T14:02:10.000000+00:00")]
    [InlineData("2023-01-26T16:02:10.1234567+02:00", "2023-01-26T14:02:10.123456+00:00")]
    public void ATimestampIsWrittenInUtcWithSixFractionDigits(string time, string wire) =>
        Assert.Equal(wire, WireTimestamps.ToWire(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<string> RawAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage!.RequestUri} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    /// <summary>Every non-null string field named like a time (<c>*_at</c>, <c>*_time</c>, <c>expiration</c>), at any depth.</summary>
    private static IEnumerable<(string Name, string Value)> TimestampsIn(string json)
    {
        var found = new List<(string, string)>();
        void Visit(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Array)
                foreach (var item in element.EnumerateArray())
                    Visit(item);
            if (element.ValueKind != JsonValueKind.Object)
                return;
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && TimeField().IsMatch(property.Name))
                    found.Add((property.Name, property.Value.GetString()!));
                Visit(property.Value);
            }
        }
        Visit(JsonDocument.Parse(json).RootElement);
        return found;
    }

    private static Regex TimeField() => new("(_at|_time|^expiration)$");
}
