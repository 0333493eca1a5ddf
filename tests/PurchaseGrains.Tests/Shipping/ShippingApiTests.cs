using System.Net;
using System.Text.Json.Nodes;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Shipping;

/// <summary>
/// The shipping routes (API.md section A2) through real HTTP with the Sandbox carrier: on one SQLite silo, and (the
/// subclass below) on a cluster of PostgreSQL silos, where consecutive requests go to different silos.
/// </summary>
public class ShippingApiTests
{
    protected virtual async Task<ShipSilos> StartAsync(IDictionary<string, string?>? settings = null) =>
        new([await TestSilo.StartSqliteAsync(settings: ShipSilos.Settings(settings))]);

    [StorageFact]
    public async Task AQuoteListsTheSandboxRatesUnderIdsOfItsSession()
    {
        await using var silos = await StartAsync();
        var items = await silos.Api().OwnedItemsAsync("p1", 2);
        var before = DateTime.UtcNow;

        var (status, body) = await silos.Api(1).QuoteAsync(items);

        Assert.Equal(HttpStatusCode.OK, status);
        var sessionId = body["session_id"]!.GetValue<string>();
        Assert.Matches("^quote_[A-Za-z0-9_-]{16}$", sessionId);
        var expiresAt = body["expires_at"]!.GetValue<DateTime>();
        Assert.InRange(expiresAt, before.AddMinutes(15).AddSeconds(-1), DateTime.UtcNow.AddMinutes(15).AddSeconds(1));
        var quotes = body["quotes"]!.AsArray();
        Assert.Equal(
            [
                $$"""{"id":"{{sessionId}}_rate_standard","carrier":"sandbox","service":"standard","amount":5.99,"estimated_days_min":3,"estimated_days_max":7,"insured":false}""",
                $$"""{"id":"{{sessionId}}_rate_express","carrier":"sandbox","service":"express","amount":16.99,"estimated_days_min":1,"estimated_days_max":2,"insured":true}""",
            ],
            quotes.Select(q => q!.ToJsonString()));
        var abroad = (await silos.Api().QuoteAsync(items, ShipApi.Destination(country: "fr"))).Body["quotes"]![0]!;
        Assert.Equal(17.97m, abroad["amount"]!.GetValue<decimal>());
        Assert.Equal(7, abroad["estimated_days_min"]!.GetValue<int>());
    }

    [StorageFact]
    public async Task QuotesRefuseMissingItemsBadDestinationsAndItemsThatCannotShip()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);
        var otherUsers = await silos.Api(1).OwnedItemsAsync("p2", 1, "user-2");
        var foreign = await ForeignItemAsync(silos);

        VmApi.AssertError(HttpStatusCode.BadRequest, "item_ids is required", await api.QuoteAsync([]));
        VmApi.AssertError(HttpStatusCode.BadRequest, "item_ids is required", await PostAsync(api, "/api/v1/ship/quote",
            """{"destination":{"name":"n","line1":"l","city":"c","postal_code":"p","country":"US"}}"""));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Invalid destination", await PostAsync(api, "/api/v1/ship/quote", $$"""{"item_ids":["{{items[0]}}"]}"""));
        foreach (var destination in new object[]
                 {
                     new { line1 = "1 Main St", city = "Springfield", postal_code = "62701", country = "US" },
                     new { name = "Ada", line1 = " ", city = "Springfield", postal_code = "62701", country = "US" },
                     new { name = "Ada", line1 = "1 Main St", postal_code = "62701", country = "US" },
                     new { name = "Ada", line1 = "1 Main St", city = "Springfield", country = "US" },
                     new { name = "Ada", line1 = "1 Main St", city = "Springfield", postal_code = "62701" },
                     new { name = "Ada", line1 = "1 Main St", city = "Springfield", postal_code = "62701", country = "XX" },
                     new { name = "Ada", line1 = "1 Main St", city = "Springfield", postal_code = "62701", country = "USA" },
                     new { name = new string('n', 201), line1 = "1 Main St", city = "Springfield", postal_code = "62701", country = "US" },
                 })
            VmApi.AssertError(HttpStatusCode.BadRequest, "Invalid destination", await api.QuoteAsync(items, destination));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.QuoteAsync([items[0], "no-such-item"]));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.QuoteAsync([items[0], foreign]));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Items must belong to one user", await silos.Api(1).QuoteAsync([items[0], otherUsers[0]]));

        Assert.Equal(HttpStatusCode.OK, (await api.Vm.BuybackAsync(items[1])).Status);
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.QuoteAsync(items));
        await api.OrderItemsAsync([items[0]]);
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await silos.Api(1).QuoteAsync([items[0]]));
    }

    [StorageFact]
    public async Task RepeatedItemIdsCountOnceAndMoreThanFiftyItemsAreRefused()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);

        var (status, quote) = await api.QuoteAsync([items[0], items[1], items[0]]);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5.99m, quote["quotes"]![0]!["amount"]!.GetValue<decimal>());
        VmApi.AssertError(HttpStatusCode.BadRequest, "At most 50 items can ship in one order",
            await api.QuoteAsync(Enumerable.Range(0, 51).Select(i => $"item-{i}")));
        var orderId = await api.RequestOkAsync(quote["quotes"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(2, (await api.OrderAsync(orderId)).Body["items"]!.AsArray().Count);
    }

    [StorageFact]
    public async Task ARequestAnswersItsOrderAndTheSameQuoteIdAgainAnswersTheSameOrder()
    {
        await using var silos = await StartAsync();
        var items = await silos.Api().OwnedItemsAsync("p1", 2);
        var quoteId = await silos.Api().QuoteOkAsync(items);

        var (status, body) = await silos.Api(1).RequestAsync(quoteId);

        Assert.Equal(HttpStatusCode.OK, status);
        var orderId = body["order_id"]!.GetValue<string>();
        Assert.Matches("^order_[A-Za-z0-9_-]{16}$", orderId);
        Assert.Equal($$"""{"order_id":"{{orderId}}","status":"success"}""", body.ToJsonString());
        for (var i = 0; i < 3; i++)
            Assert.Equal(orderId, await silos.Api(i).RequestOkAsync(quoteId));
        // Another rate of the same session cannot order the items again.
        var express = quoteId.Replace("_rate_standard", "_rate_express", StringComparison.Ordinal);
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await silos.Api().RequestAsync(express));
    }

    [StorageFact]
    public async Task RequestsRefuseUnknownQuotesAndItemsGoneSinceTheQuote()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);
        var quoteId = await api.QuoteOkAsync(items);

        foreach (var unknown in new[] { "", "quote_AAAAAAAAAAAAAAAA_rate_standard", quoteId[..^1], quoteId.Replace("_rate_standard", "_rate_overnight", StringComparison.Ordinal),
                     quoteId.Replace("_rate_", "_", StringComparison.Ordinal), "order_AAAAAAAAAAAAAAAA", new string('q', 5000) })
            VmApi.AssertError(HttpStatusCode.BadRequest, "Quote not found", await silos.Api(1).RequestAsync(unknown));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Quote not found", await PostAsync(api, "/api/v1/ship/request", "{}"));

        Assert.Equal(HttpStatusCode.OK, (await api.Vm.BuybackAsync(items[0])).Status);
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await silos.Api(1).RequestAsync(quoteId));
        // Nothing was locked by the refused request: the other item still ships.
        Assert.Equal([items[1]], await api.InventoryAsync());
        await api.OrderItemsAsync([items[1]]);
    }

    [StorageFact]
    public async Task AnExpiredQuoteIsRefusedButAQuoteAlreadyOrderedStillAnswersItsOrder()
    {
        await using var silos = await StartAsync(new Dictionary<string, string?> { ["Shipping:QuoteTtl"] = "00:00:01" });
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);
        var lapsing = await api.QuoteOkAsync([items[0]]);
        var ordered = await api.QuoteOkAsync([items[1]]);
        var orderId = await api.RequestOkAsync(ordered);

        await Task.Delay(TimeSpan.FromSeconds(1.2));

        VmApi.AssertError(HttpStatusCode.BadRequest, "Quote has expired", await silos.Api(1).RequestAsync(lapsing));
        Assert.Equal(orderId, await silos.Api(1).RequestOkAsync(ordered));
        Assert.Equal([items[0]], await api.InventoryAsync());
    }

    [StorageFact]
    public async Task AnOrderShowsEveryFieldOfTheContractAndTheDestinationWithoutPhoneOrEmail()
    {
        await using var silos = await StartAsync();
        var items = await silos.Api().OwnedItemsAsync("p1", 2);
        var before = DateTime.UtcNow;
        var orderId = await silos.Api().OrderItemsAsync(items);

        var (status, order) = await silos.Api(1).OrderAsync(orderId);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["order_id", "status", "carrier", "service", "tracking_number", "tracking_url", "amount", "currency", "destination", "items",
            "created_at", "shipped_at", "delivered_at", "error_message"], order.AsObject().Select(p => p.Key));
        Assert.Equal(orderId, order["order_id"]!.GetValue<string>());
        Assert.Equal("pending", order["status"]!.GetValue<string>());
        Assert.Equal(("sandbox", "standard", 5.99m, "USD"), (order["carrier"]!.GetValue<string>(), order["service"]!.GetValue<string>(),
            order["amount"]!.GetValue<decimal>(), order["currency"]!.GetValue<string>()));
        Assert.Equal("""{"name":"Ada Lovelace","line1":"1 Main St","line2":"Apt 2","city":"Springfield","state":"IL","postal_code":"62701","country":"US"}""",
            order["destination"]!.ToJsonString());
        Assert.Equal(items.Select(id => $$"""{"item_id":"{{id}}","name":"Card {{id}}","image":"https://cdn.example.com/{{id}}.png","back_image":null}"""),
            order["items"]!.AsArray().Select(i => i!.ToJsonString()));
        Assert.InRange(order["created_at"]!.GetValue<DateTime>(), before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
        foreach (var unset in new[] { "tracking_number", "tracking_url", "shipped_at", "delivered_at", "error_message" })
            Assert.Null(order[unset]);
    }

    [StorageFact]
    public async Task UnknownOrdersAnswerOrderNotFound()
    {
        await using var silos = await StartAsync();
        foreach (var id in new[] { "order_AAAAAAAAAAAAAAAA", "order_", "nope", "quote_AAAAAAAAAAAAAAAA", new string('o', 300) })
            VmApi.AssertError(HttpStatusCode.NotFound, "Order not found", await silos.Api().OrderAsync(id));
    }

    [StorageFact]
    public async Task LockedItemsLeaveTheInventoryAndTheirBuybackAnswersItemNotFound()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 3);

        await api.OrderItemsAsync([items[0], items[1]]);

        Assert.Equal([items[2]], await silos.Api(1).InventoryAsync());
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await silos.Api(1).Vm.BuybackAsync(items[0]));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await silos.Api().Vm.BuybackAsync(items[1]));
        Assert.Equal(HttpStatusCode.OK, (await api.Vm.BuybackAsync(items[2])).Status);
    }

    [StorageFact]
    public async Task TheSandboxCarrierTakesAnOrderToDeliveredAndItsItemsNeverComeBack()
    {
        await using var silos = await StartAsync(Delays("00:00:00.300", "00:00:00.600", "00:00:00.900"));
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);
        var orderId = await api.OrderItemsAsync(items);

        var seen = new List<string>();
        var order = await Eventually.ValueAsync(async () =>
        {
            var (_, body) = await silos.Api(seen.Count).OrderAsync(orderId);
            var status = body["status"]!.GetValue<string>();
            if (seen.LastOrDefault() != status)
                seen.Add(status);
            return body;
        }, o => o["status"]!.GetValue<string>() == "delivered", TimeSpan.FromSeconds(15), "the order to be delivered");

        Assert.Equal("pending", seen[0]);
        Assert.Equal(seen.Order(Comparer<string>.Create((x, y) => Rank(x) - Rank(y))), seen);
        var tracking = order["tracking_number"]!.GetValue<string>();
        Assert.Matches("^SBX[0-9A-F]{12}$", tracking);
        Assert.Equal($"https://sandbox-carrier.invalid/track/{tracking}", order["tracking_url"]!.GetValue<string>());
        Assert.True(order["shipped_at"]!.GetValue<DateTime>() <= order["delivered_at"]!.GetValue<DateTime>());
        Assert.Null(order["error_message"]);
        Assert.Empty(await api.InventoryAsync());
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.Vm.BuybackAsync(items[0]));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.QuoteAsync(items));
    }

    [StorageFact]
    public async Task AnOrderEndingInErrorBeforeItShipsReleasesItsItemsOnce()
    {
        await using var silos = await StartAsync(Delays("00:00:00.200", "00:00:00.400", "00:00:00.600"));
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);
        var failing = await api.OrderItemsAsync(items, ShipApi.Destination(postalCode: "00000"));

        var order = await Eventually.ValueAsync(async () => (await silos.Api(1).OrderAsync(failing)).Body,
            o => o["status"]!.GetValue<string>() == "error", TimeSpan.FromSeconds(15), "the order to end in error");
        Assert.Equal("Address undeliverable (sandbox)", order["error_message"]!.GetValue<string>());
        Assert.Null(order["shipped_at"]);
        await Eventually.TrueAsync(async () => (await api.InventoryAsync()).Count == 2, TimeSpan.FromSeconds(5), "the items back in the inventory");
        Assert.Equal(items.Order(), (await api.InventoryAsync()).Order());

        // The items ship again, in a new order; the failed order's late or repeated ticks take nothing back.
        var second = await silos.Api(1).OrderItemsAsync(items);
        var old = Orleans.GrainExtensions.AsReference<Orleans.IRemindable>(
            silos.Silos[0].Grains.GetGrain<PurchaseGrains.Grains.Shipping.IShippingOrderGrain>(failing));
        var tick = new Orleans.Runtime.TickStatus(DateTime.UtcNow, TimeSpan.FromSeconds(1), DateTime.UtcNow);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => old.ReceiveReminder("shipment", tick)));
        Assert.Empty(await api.InventoryAsync());
        Assert.NotEqual("error", await api.OrderStatusAsync(second));
        Assert.Equal("error", await api.OrderStatusAsync(failing));
    }

    [StorageFact]
    public async Task TwoConcurrentRequestsSharingAnItemOnDifferentSilosMakeExactlyOneOrder()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        const int rounds = 6;
        var items = await api.OwnedItemsAsync("p1", rounds * 3);
        for (var round = 0; round < rounds; round++)
        {
            var (left, shared, right) = (items[round * 3], items[round * 3 + 1], items[round * 3 + 2]);
            var first = await api.QuoteOkAsync([left, shared]);
            var second = await silos.Api(1).QuoteOkAsync([shared, right]);

            var answers = await Task.WhenAll(silos.Api(0).RequestAsync(first), silos.Api(1).RequestAsync(second));

            Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
            var refused = Assert.Single(answers, a => a.Status != HttpStatusCode.OK);
            VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", refused);
            var listed = await api.InventoryAsync();
            // The winner's items are all locked, the loser's own item is not: all or none.
            var (won, lost) = answers[0].Status == HttpStatusCode.OK ? (left, right) : (right, left);
            Assert.DoesNotContain(shared, listed);
            Assert.DoesNotContain(won, listed);
            Assert.Contains(lost, listed);
        }
    }

    [StorageFact]
    public async Task ABuybackRacingAShippingRequestLeavesExactlyOneWinner()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        const int rounds = 8;
        var items = await api.OwnedItemsAsync("p1", rounds);
        var outcomes = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            var item = items[round];
            var quoteId = await api.QuoteOkAsync([item]);

            var request = silos.Api(round).RequestAsync(quoteId);
            var buyback = silos.Api(round + 1).Vm.BuybackAsync(item);
            var (shipped, soldBack) = (await request, await buyback);

            Assert.True((shipped.Status == HttpStatusCode.OK) != (soldBack.Status == HttpStatusCode.OK),
                $"request {(int)shipped.Status} {shipped.Body.ToJsonString()}, buyback {(int)soldBack.Status} {soldBack.Body.ToJsonString()}");
            VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", shipped.Status == HttpStatusCode.OK ? soldBack : shipped);
            outcomes.Add(shipped.Status == HttpStatusCode.OK ? "shipped" : "sold back");
            Assert.DoesNotContain(item, await api.InventoryAsync());
            VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.Vm.BuybackAsync(item));
        }
        var ledger = await silos.Silos[0].Grains.GetGrain<PurchaseGrains.Grains.VendingMachine.IBuybackLedgerGrain>("a:user-1").Entries();
        Assert.Equal(outcomes.Count(o => o == "sold back"), ledger.Count);
    }

    [StorageFact]
    public async Task TheSameQuoteRequestedConcurrentlyOnEverySiloGivesOneOrder()
    {
        await using var silos = await StartAsync();
        var items = await silos.Api().OwnedItemsAsync("p1", 2);
        var quoteId = await silos.Api().QuoteOkAsync(items);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => silos.Api(i).RequestAsync(quoteId)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Body["order_id"]!.GetValue<string>()).Distinct());
    }

    [StorageFact]
    public async Task AnotherPartnersItemsQuotesAndOrdersAnswerLikeUnknownOnes()
    {
        await using var silos = await StartAsync();
        var api = silos.Api();
        var items = await api.OwnedItemsAsync("p1", 2);
        var quoteId = await api.QuoteOkAsync([items[0]]);
        var orderQuote = await api.QuoteOkAsync([items[1]]);
        var orderId = await api.RequestOkAsync(orderQuote);
        var other = silos.Api(1).OtherPartner;

        Assert.Equal(Text(await silos.Api(1).QuoteAsync(["no-such-item"], client: other)), Text(await silos.Api(1).QuoteAsync([items[0]], client: other)));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Quote not found", await silos.Api(1).RequestAsync(quoteId, other));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Quote not found", await silos.Api(1).RequestAsync(orderQuote, other));
        VmApi.AssertError(HttpStatusCode.NotFound, "Order not found", await silos.Api(1).OrderAsync(orderId, other));
        // Nothing of partner a's changed.
        Assert.Equal(orderId, await api.RequestOkAsync(orderQuote));
        Assert.Equal([items[0]], await api.InventoryAsync());
    }

    private static int Rank(string status) => Array.IndexOf(["pending", "processing", "shipped", "delivered"], status);

    private static string Text((HttpStatusCode Status, JsonNode Body) answer) => $"{(int)answer.Status} {answer.Body.ToJsonString()}";

    private static Dictionary<string, string?> Delays(string processing, string shipped, string delivered) => new()
    {
        ["Shipping:Sandbox:ProcessingAfter"] = processing,
        ["Shipping:Sandbox:ShippedAfter"] = shipped,
        ["Shipping:Sandbox:DeliveredAfter"] = delivered,
    };

    /// <summary>An item partner b's user owns.</summary>
    private static async Task<string> ForeignItemAsync(ShipSilos silos)
    {
        var vm = silos.Api().Vm;
        await vm.PutPackAsync("foreign");
        await vm.AddCardsAsync("foreign", "foreign", 1m);
        var (status, body) = await vm.BuyAsync("foreign", 1, "user-1", vm.OtherPartner);
        Assert.Equal(HttpStatusCode.OK, status);
        return body["nfts"]![0]!["id"]!.GetValue<string>();
    }

    private static async Task<(HttpStatusCode, JsonNode)> PostAsync(ShipApi api, string path, string json)
    {
        var response = await api.Partner.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        return (response.StatusCode, await VmApi.BodyAsync(response));
    }
}

/// <summary>The same scenarios on a cluster of two PostgreSQL silos.</summary>
[RequiresPostgres]
public sealed class ShippingApiPostgresTests(PostgresDatabase database) : ShippingApiTests, IClassFixture<PostgresDatabase>
{
    protected override async Task<ShipSilos> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var connection = await database.CreateSchemaAsync();
        var silos = new List<TestSilo>();
        for (var i = 0; i < 2; i++)
            silos.Add(await TestSilo.StartPostgresAsync(connection, ShipSilos.Settings(settings)));
        return new ShipSilos(silos);
    }
}
