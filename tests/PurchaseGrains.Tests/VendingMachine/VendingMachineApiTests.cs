using Microsoft.AspNetCore.Builder;
using System.Net;
using System.Net.Http.Json;
using PurchaseGrains.Tests.Http;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>The vending-machine routes through real HTTP with the Sandbox provider, on SQLite (and on PostgreSQL below).</summary>
public class VendingMachineApiTests : SiloSuite
{
    [StorageFact]
    public async Task AnOverlongUserIdIsRefusedWithItsLimit()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);

        VmApi.AssertError(HttpStatusCode.BadRequest, "user_id must be at most 200 characters", await api.BuyAsync("p1", 1, new string('u', 100_000)));
        Assert.Equal(1, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }

    [StorageFact]
    public async Task SandboxBuyIsFulfilledByTheFirstStatusCall()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1", buybackPercent: 0.85m);
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);

        var (status, init) = await api.BuyAsync("p1", 2, "user-1");
        Assert.Equal(HttpStatusCode.OK, status);
        var sessionId = init["session_id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(sessionId, out _));
        Assert.Equal(2, init["nfts"]!.AsArray().Count);

        var (statusCode, body) = await api.StatusAsync(sessionId);
        Assert.Equal(HttpStatusCode.OK, statusCode);
        var result = body["result"]!;
        Assert.Equal(sessionId, result["session_id"]!.GetValue<string>());
        Assert.Equal("user-1", result["user_id"]!.GetValue<string>());
        Assert.Matches("^_[A-Z2-9]{6}$", result["public_id"]!.GetValue<string>());
        Assert.Matches("^sandbox_[A-Za-z0-9_-]+$", result["tx_hash"]!.GetValue<string>());
        var nfts = result["nfts"]!.AsArray();
        Assert.Equal(2, nfts.Count);
        foreach (var nft in nfts)
        {
            var id = nft!["id"]!.GetValue<string>();
            var fmv = decimal.Parse(id[2..], System.Globalization.CultureInfo.InvariantCulture) + 1m;
            Assert.Equal(Math.Round(fmv * 0.85m, 2), nft["buyback_price"]!.GetValue<decimal>());
            Assert.Equal("enft", nft["type"]!.GetValue<string>());
            Assert.Null(nft["mint_address"]);
            Assert.True(nft.AsObject().ContainsKey("mint_address"));
            Assert.Equal($"Card {id}", nft["content"]!["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal($"https://cdn.example.com/{id}.png", nft["content"]!["links"]!["image"]!.GetValue<string>());
        }
        Assert.Equal(init["nfts"]!.ToJsonString(), nfts.ToJsonString());
    }

    [StorageFact]
    public async Task DevelopmentSeedsABuyableDemoPackOnAnEmptyStore()
    {
        await using var silo = await StartSiloAsync(configure: b => b.Environment.EnvironmentName = "Development");
        var api = new VmApi(silo);
        var demo = await api.PackAsync("demo");
        Assert.Equal(300, demo["in_stock"]!.GetValue<long>());
        Assert.Equal(5, demo["rarity_distribution"]!.AsArray().Count);
        Assert.True(demo["ev"]!.GetValue<decimal>() > demo["min_ev"]!.GetValue<decimal>());

        var sessionId = await api.BuyOkAsync("demo", 10, "newcomer");
        Assert.Equal(10, (await api.StatusAsync(sessionId)).Body["result"]!["nfts"]!.AsArray().Count);
        Assert.Equal(290, (await api.PackAsync("demo"))["in_stock"]!.GetValue<long>());
    }

    [StorageFact]
    public async Task APublicIdBelongsToOneSessionOnly()
    {
        await using var silo = await StartSiloAsync();
        var code = silo.Grains.GetGrain<PurchaseGrains.Grains.VendingMachine.IPublicIdGrain>("_TESTAB");
        Assert.True(await code.Claim("session-1"));
        Assert.True(await code.Claim("session-1"));
        Assert.False(await code.Claim("session-2"));
    }

    [StorageFact]
    public async Task ARetriedBuyWithTheSameIdempotencyKeyGetsTheSameSession()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);
        async Task<string> BuyWithKeyAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/vm/buy/init")
            {
                Content = JsonContent.Create(new { id = "p1", amount = 1, user_id = "u" }),
            };
            request.Headers.Add("Idempotency-Key", "buy-once");
            var response = await api.Partner.SendAsync(request);
            return (await VmApi.ExpectAsync(response, HttpStatusCode.OK))["session_id"]!.GetValue<string>();
        }

        Assert.Equal(await BuyWithKeyAsync(), await BuyWithKeyAsync());
        Assert.Equal(2, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }

    [StorageFact]
    public async Task BuyInitValidatesItsInputWithTheApiMessages()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1", maxPerMint: 3);
        await api.PutPackAsync("off", enable: false);
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m, 4m);
        await api.AddCardsAsync("off", "d", 1m);

        VmApi.AssertError(HttpStatusCode.BadRequest, "user_id is required", await api.BuyAsync("p1", 1, ""));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Amount must be greater than 0", await api.BuyAsync("p1", 0, "u"));
        VmApi.AssertError(HttpStatusCode.BadRequest, "VM not found", await api.BuyAsync("nope", 1, "u"));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Amount must be less than or equal to 3", await api.BuyAsync("p1", 4, "u"));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Claw machine is out of stock", await api.BuyAsync("off", 1, "u"));

        await api.BuyOkAsync("p1", 3, "u");
        VmApi.AssertError(HttpStatusCode.BadRequest, "Claw machine is out of stock", await api.BuyAsync("p1", 2, "u"));
        await api.BuyOkAsync("p1", 1, "u");
        VmApi.AssertError(HttpStatusCode.BadRequest, "Claw machine is out of stock", await api.BuyAsync("p1", 1, "u"));

        var malformed = await api.Partner.PostAsync("/api/v1/vm/buy/init",
            new StringContent("""{"id":"p1","amount":"two","user_id":"u"}""", System.Text.Encoding.UTF8, "application/json"));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Invalid JSON body at $.amount", (malformed.StatusCode, await VmApi.BodyAsync(malformed)));
    }

    [StorageFact]
    public async Task StatusOfAnUnknownOrAnotherPartnersSessionIsTransactionFailed()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);
        var sessionId = await api.BuyOkAsync("p1", 1, "u");

        VmApi.AssertError(HttpStatusCode.BadRequest, "Transaction failed", await api.StatusAsync(Guid.NewGuid().ToString()));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Transaction failed", await api.StatusAsync(sessionId, api.OtherPartner));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Transaction failed", await api.StatusAsync(""));
        Assert.Equal(HttpStatusCode.OK, (await api.StatusAsync(sessionId)).Status);
    }

    [StorageFact]
    public async Task AvailablePacksShowStatsOfTheRemainingPool()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1", tiers:
        [
            new { id = "low", name = "Low", color = "#111", lower = 0m, upper = 9.99m, weight = 75m },
            new { id = "high", name = "High", color = "#222", lower = 10m, upper = 100m, weight = 25m },
            new { id = "void", name = "Void", color = "#333", lower = 500m, upper = 900m, weight = 0m },
        ]);
        var before = await api.PackAsync("p1");
        Assert.Equal(0, before["in_stock"]!.GetValue<long>());
        Assert.Equal(0m, before["ev"]!.GetValue<decimal>());

        Assert.Equal(4, await api.AddCardsAsync("p1", "c", 2m, 4m, 20m, 600m)); // 600 is in a weight-0 tier: never drawn
        var pack = await api.PackAsync("p1");
        Assert.Equal("p1-slug", pack["slug"]!.GetValue<string>());
        Assert.Equal("mainnet", pack["platform"]!.GetValue<string>());
        Assert.True(pack["enable"]!.GetValue<bool>());
        Assert.Equal(10, pack["max_per_mint"]!.GetValue<int>());
        Assert.Equal(25m, pack["mint_price"]!.GetValue<decimal>());
        Assert.Equal(3, pack["in_stock"]!.GetValue<long>());
        Assert.Equal(7.25m, pack["ev"]!.GetValue<decimal>()); // 0.75·3 + 0.25·20
        Assert.Equal(2m, pack["min_ev"]!.GetValue<decimal>());
        Assert.Equal(20m, pack["max_ev"]!.GetValue<decimal>());
        Assert.Equal(3, pack["rarity_distribution"]!.AsArray().Count);
        Assert.Equal("test", pack["categories"]![0]!.GetValue<string>());
        Assert.Matches(WireFormats.Timestamp, pack["ev_updated_at"]!.GetValue<string>());
        var updatedAt = DateTime.Parse(pack["ev_updated_at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind);

        await api.BuyOkAsync("p1", 3, "u");
        var after = await api.PackAsync("p1");
        Assert.Equal(0, after["in_stock"]!.GetValue<long>());
        Assert.Equal(0m, after["ev"]!.GetValue<decimal>());
        Assert.True(DateTime.Parse(after["ev_updated_at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind) > updatedAt);
        VmApi.AssertError(HttpStatusCode.BadRequest, "Claw machine is out of stock", await api.BuyAsync("p1", 1, "u"));

        var (_, other) = await api.GetAsync("/api/v1/vm/available?platform=devnet");
        Assert.Empty(other.AsArray());
    }

    [StorageFact]
    public async Task EmptyTiersFallBackToTheTiersThatStillHaveCards()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1"); // common weight 80 has no cards at all
        await api.AddCardsAsync("p1", "r", 50m, 60m, 70m);

        await api.BuyOkAsync("p1", 3, "u");
        var (_, inventory) = await api.GetAsync("/api/v1/inventory/u");
        Assert.Equal(["r-0", "r-1", "r-2"], inventory["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).Order());
    }

    [StorageFact]
    public async Task InventoryListsAUsersItemsPerPartner()
    {
        await using var silo = await StartSiloAsync(settings: new Dictionary<string, string?> { ["Vm:BuybackWindow"] = "3.00:00:00" });
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m);
        await api.BuyOkAsync("p1", 2, "alice");

        VmApi.AssertError(HttpStatusCode.NotFound, "User not found", await api.GetAsync("/api/v1/inventory/bob"));
        VmApi.AssertError(HttpStatusCode.NotFound, "User not found", await api.GetAsync("/api/v1/inventory/alice", api.OtherPartner));

        var (status, body) = await api.GetAsync("/api/v1/inventory/alice");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("alice", body["user_id"]!.GetValue<string>());
        var items = body["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        foreach (var item in items)
        {
            Assert.Equal("p1", item!["claw_id"]!.GetValue<string>());
            Assert.Equal("p1-slug", item["claw_slug"]!.GetValue<string>());
            var purchased = DateTime.Parse(item["purchased_at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind);
            var expires = DateTime.Parse(item["buyback_expires_at"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind);
            Assert.Matches(WireFormats.Timestamp, item["purchased_at"]!.GetValue<string>());
            Assert.Matches(WireFormats.Timestamp, item["buyback_expires_at"]!.GetValue<string>());
            Assert.Equal(TimeSpan.FromDays(3), expires - purchased);
            Assert.NotNull(item["content"]!["metadata"]!["attributes"]);
        }
    }

    [StorageFact]
    public async Task RecentPullsAreNewestFirstFilteredAndClamped()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.PutPackAsync("p2");
        await api.AddCardsAsync("p1", "a", 1m, 2m, 3m);
        await api.AddCardsAsync("p2", "b", 4m, 5m);
        await api.BuyOkAsync("p1", 1, "u");
        await api.BuyOkAsync("p2", 1, "u");
        await api.BuyOkAsync("p1", 2, "u");
        var (_, otherPartnerBuy) = await api.BuyAsync("p2", 1, "v", api.OtherPartner);
        Assert.NotNull(otherPartnerBuy["session_id"]);

        var (status, all) = await api.GetAsync("/api/v1/vm/recent-pulls");
        Assert.Equal(HttpStatusCode.OK, status);
        var pulls = all.AsArray();
        Assert.Equal(4, pulls.Count);
        Assert.All(pulls, p => Assert.Matches(WireFormats.Timestamp, p!["created_at"]!.GetValue<string>()));
        var times = pulls.Select(p => DateTime.Parse(p!["created_at"]!.GetValue<string>(), null,
            System.Globalization.DateTimeStyles.RoundtripKind)).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.Equal("p1", pulls[0]!["claw_id"]!.GetValue<string>());
        Assert.Equal("p1-slug", pulls[0]!["claw_slug"]!.GetValue<string>());
        Assert.True(pulls[0]!["value"]!.GetValue<decimal>() > 0);
        Assert.Equal(Math.Round(pulls[0]!["value"]!.GetValue<decimal>() * 0.8m, 2), pulls[0]!["buyback_price"]!.GetValue<decimal>());
        Assert.StartsWith("Card a-", pulls[0]!["metadata"]!["name"]!.GetValue<string>());

        var (_, onlyP2) = await api.GetAsync("/api/v1/vm/recent-pulls?claw_ids=p2");
        Assert.Equal("b-", onlyP2.AsArray().Single()!["id"]!.GetValue<string>()[..2]);
        var (_, both) = await api.GetAsync("/api/v1/vm/recent-pulls?claw_ids=p2&claw_ids=p1&limit=3");
        Assert.Equal(3, both.AsArray().Count);
        Assert.Single((await api.GetAsync("/api/v1/vm/recent-pulls?limit=0")).Body.AsArray());
        Assert.Equal(4, (await api.GetAsync("/api/v1/vm/recent-pulls?limit=abc")).Body.AsArray().Count);
        Assert.Single((await api.GetAsync("/api/v1/vm/recent-pulls", api.OtherPartner)).Body.AsArray());
    }

    [StorageFact]
    public async Task CardLookupShowsPoolCardsAndOwnItemsButNotAnotherPartnersItems()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 7.5m);

        var (status, card) = await api.GetAsync("/api/v1/card/c-0", api.OtherPartner);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("c-0", card["id"]!.GetValue<string>());
        Assert.Equal("Card c-0", card["name"]!.GetValue<string>());
        Assert.Equal(7.5m, card["fmv"]!.GetValue<decimal>());
        Assert.Equal("https://cdn.example.com/c-0.png", card["image"]!.GetValue<string>());
        Assert.Equal("p1", card["metadata"]!["claw_id"]!.GetValue<string>());

        await api.BuyOkAsync("p1", 1, "u");
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/card/c-0")).Status);
        VmApi.AssertError(HttpStatusCode.NotFound, "Card not found", await api.GetAsync("/api/v1/card/c-0", api.OtherPartner));
        VmApi.AssertError(HttpStatusCode.NotFound, "Card not found", await api.GetAsync("/api/v1/card/nope"));
    }

    [StorageFact]
    public async Task OnlyAdminKeysChangePacksAndDuplicateCardsAreSkipped()
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        var denied = await api.Partner.PutAsJsonAsync("/admin/v1/packs/p1", new { slug = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        var noKey = await silo.CreateClient(apiKey: null).GetAsync("/api/v1/vm/available");
        VmApi.AssertError(HttpStatusCode.Unauthorized, "Invalid API key", (noKey.StatusCode, await VmApi.BodyAsync(noKey)));

        var bad = await api.Admin.PutAsJsonAsync("/admin/v1/packs/p1", new { slug = "s", name = "n", max_per_mint = 1, buyback_percent = 85, rarity_distribution = VmApi.StandardTiers });
        VmApi.AssertError(HttpStatusCode.BadRequest, "buyback_percent must be a fraction between 0 and 1", (bad.StatusCode, await VmApi.BodyAsync(bad)));
        var unknownPack = await api.Admin.PostAsJsonAsync("/admin/v1/packs/nope/cards", new { cards = new[] { new { id = "x", name = "x", fmv = 1m, type = "enft" } } });
        VmApi.AssertError(HttpStatusCode.NotFound, "VM not found", (unknownPack.StatusCode, await VmApi.BodyAsync(unknownPack)));

        await api.PutPackAsync("p1");
        await api.PutPackAsync("p2");
        Assert.Equal(2, await api.AddCardsAsync("p1", "c", 1m, 2m));
        Assert.Equal(1, await api.AddCardsAsync("p1", "c", 1m, 2m, 3m));
        Assert.Equal(0, await api.AddCardsAsync("p2", "c", 1m, 2m)); // an id that exists anywhere is skipped
        var badType = await api.Admin.PostAsJsonAsync("/admin/v1/packs/p1/cards", new { cards = new[] { new { id = "z", name = "z", fmv = 1m, type = "nft" } } });
        VmApi.AssertError(HttpStatusCode.BadRequest, "cards[0]: type must be one of enft, ebay, fanatics, alt, external",
            (badType.StatusCode, await VmApi.BodyAsync(badType)));
        Assert.Equal(3, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
        Assert.Equal(0, (await api.PackAsync("p2"))["in_stock"]!.GetValue<long>());

        // Packs are global: the other partner sees and buys them.
        var (status, _) = await api.BuyAsync("p1", 1, "u", api.OtherPartner);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [StorageTheory]
    [InlineData("""{"cards":[null]}""", "cards[0]: must be an object")]
    [InlineData("""{"cards":[{"id":"ok","name":"n","fmv":1,"type":"enft"},null]}""", "cards[1]: must be an object")]
    public async Task ANullCardIsRefusedNotACrash(string body, string error)
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");

        var response = await api.Admin.PostAsync("/admin/v1/packs/p1/cards", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetString());
    }

    [StorageTheory]
    [InlineData("""{"slug":"s","name":"n","max_per_mint":1,"rarity_distribution":[null]}""", "every rarity tier must be an object")]
    [InlineData("""{"slug":"s","name":"n","max_per_mint":1,"categories":[null],"rarity_distribution":[{"id":"t","upper":1,"weight":1}]}""", "categories must be a list of strings")]
    public async Task ANullTierOrCategoryIsRefusedNotACrash(string body, string error)
    {
        await using var silo = await StartSiloAsync();
        var api = new VmApi(silo);

        var response = await api.Admin.PutAsync("/admin/v1/packs/p1", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.Partner.GetAsync("/api/v1/vm/available")).StatusCode);
        Assert.Equal("[]", await (await api.Partner.GetAsync("/api/v1/vm/available")).Content.ReadAsStringAsync());
    }
}

/// <summary>The same scenarios on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class VendingMachineApiPostgresTests(PostgresDatabase database) : VendingMachineApiTests, IClassFixture<PostgresDatabase>
{
    protected override Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null) => PostgresSilos.StartAsync(database, settings, configure);
}

/// <summary>
/// The same scenarios on the AzureStorage profile, each on two silos. Grains are placed at random, so about half of
/// them live on the silo the test does not call.
/// </summary>
[RequiresAzurite]
public sealed class VendingMachineApiAzureStorageTests(PostgresDatabase database)
    : VendingMachineApiTests, IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly List<TestSilo> _companions = [];

    protected override async Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var (first, second) = await AzureSilos.StartPairAsync(database, settings, configure);
        _companions.Add(second);
        return first;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in _companions)
            await silo.DisposeAsync();
    }
}
