using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>The vending machine on a PostgreSQL cluster of three silos.</summary>
public class VendingMachinePostgresTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private async Task<TestSilo[]> StartClusterAsync(IDictionary<string, string?>? settings = null)
    {
        var connection = await database.CreateSchemaAsync();
        var silos = new TestSilo[3];
        for (var i = 0; i < silos.Length; i++)
            silos[i] = await TestSilo.StartPostgresAsync(connection, settings);
        return silos;
    }

    private static async Task DisposeAllAsync(TestSilo[] silos)
    {
        foreach (var silo in silos)
            await silo.DisposeAsync();
    }

    [PostgresFact]
    public async Task ThreeSilosHammeringOneSmallPackNeverSellACardTwice()
    {
        var silos = await StartClusterAsync();
        try
        {
            var apis = silos.Select(s => new VmApi(s)).ToArray();
            await apis[0].PutPackAsync("hot", maxPerMint: 3);
            const int cards = 30;
            await apis[0].AddCardsAsync("hot", "h", Enumerable.Range(0, cards).Select(i => i < 20 ? 1m + i / 10m : 20m + i).ToArray());

            var attempts = Enumerable.Range(0, 45).Select(async i =>
            {
                var api = apis[i % apis.Length];
                var (status, body) = await api.BuyAsync("hot", 1 + i % 3, $"user-{i % 7}");
                if (status != HttpStatusCode.OK)
                {
                    Assert.Equal("Claw machine is out of stock", body["error"]?.GetValue<string>());
                    return [];
                }
                var (statusCode, result) = await apis[(i + 1) % apis.Length].StatusAsync(body["session_id"]!.GetValue<string>());
                Assert.Equal(HttpStatusCode.OK, statusCode);
                return result["result"]!["nfts"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).ToList();
            }).ToList();
            var sold = (await Task.WhenAll(attempts)).SelectMany(ids => ids).ToList();

            Assert.Equal(sold.Count, sold.Distinct().Count());
            var inStock = (await apis[2].PackAsync("hot"))["in_stock"]!.GetValue<long>();
            Assert.Equal(cards - sold.Count, inStock);
            Assert.True(sold.Count > 0, "the burst sold nothing");

            // Buyers that lost races released what they held: the rest of the pool is still for sale, once each.
            for (var left = inStock; left > 0; left--)
            {
                var sessionId = await apis[(int)left % 3].BuyOkAsync("hot", 1, "user-0");
                sold.Add((await apis[0].StatusAsync(sessionId)).Body["result"]!["nfts"]![0]!["id"]!.GetValue<string>());
            }
            VmApi.AssertError(HttpStatusCode.BadRequest, "Claw machine is out of stock", await apis[1].BuyAsync("hot", 1, "user-0"));
            Assert.Equal(cards, sold.Count);
            Assert.Equal(cards, sold.Distinct().Count());
            var queries = silos[0].Services.GetRequiredService<IIndexQueries>();
            Assert.Equal(sold.Count, await queries.QuerySingleOrDefaultAsync<long>(
                "SELECT COUNT(*) FROM vm_cards WHERE pack_id = 'hot' AND status = 'sold'", null, CancellationToken.None));
            Assert.Equal(0, await queries.QuerySingleOrDefaultAsync<long>(
                "SELECT COUNT(*) FROM vm_cards WHERE pack_id = 'hot' AND status = 'reserved'", null, CancellationToken.None));
            // Every sold card is in exactly one inventory.
            var owned = new List<string>();
            for (var u = 0; u < 7; u++)
            {
                var (status, inventory) = await apis[u % 3].GetAsync($"/api/v1/inventory/user-{u}");
                if (status == HttpStatusCode.OK)
                    owned.AddRange(inventory["items"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
            }
            Assert.Equal(sold.Order(), owned.Order());
        }
        finally
        {
            await DisposeAllAsync(silos);
        }
    }

    [PostgresFact]
    public async Task BuyStatusOnOneNodeWakesWhenAnotherNodeFulfilsTheSession()
    {
        await using var mint = await MintServiceStub.StartAsync();
        var silos = await StartClusterAsync(new Dictionary<string, string?>
        {
            ["Fulfillment:Provider"] = "Http",
            ["Fulfillment:BaseUrl"] = mint.BaseUrl.ToString(),
            ["Fulfillment:PollInterval"] = "00:00:00.100",
            ["Vm:StatusPollWindow"] = "00:00:10",
        });
        try
        {
            var buyer = new VmApi(silos[0]);
            await buyer.PutPackAsync("p1");
            await buyer.AddCardsAsync("p1", "c", 1m, 2m);
            var sessionId = await buyer.BuyOkAsync("p1", 1, "u");
            await Eventually.TrueAsync(() => mint.PostsFor($"mint_{sessionId}") == 1, TimeSpan.FromSeconds(5), "the mint submission");

            // The waiter sits on silo 2; whichever silo's reminder tick completes the mint must wake it.
            var waiter = new VmApi(silos[2]);
            var clock = Stopwatch.StartNew();
            var waiting = waiter.StatusAsync(sessionId);
            await Task.Delay(200);
            mint.Outcome = "completed";
            var (status, body) = await waiting;
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"buy/status took {clock.Elapsed}");
            Assert.StartsWith("0xmint_", body["result"]!["tx_hash"]!.GetValue<string>());
            Assert.Equal(1, mint.PostsFor($"mint_{sessionId}"));
        }
        finally
        {
            await DisposeAllAsync(silos);
        }
    }

    [PostgresFact]
    public async Task PacksPullsInventoryAndCardsReadTheSameOnPostgres()
    {
        var silos = await StartClusterAsync();
        try
        {
            var (a, b) = (new VmApi(silos[0]), new VmApi(silos[1]));
            await a.PutPackAsync("p1", buybackPercent: 0.5m);
            await a.PutPackAsync("p2");
            await a.AddCardsAsync("p1", "x", 2m, 4m, 20m);
            await a.AddCardsAsync("p2", "y", 1m);
            var pack = await b.PackAsync("p1");
            Assert.Equal(3, pack["in_stock"]!.GetValue<long>());
            Assert.Equal(6.12m, pack["ev"]!.GetValue<decimal>()); // epic is empty: (80·3 + 18·20) / 98
            Assert.Equal(2m, pack["min_ev"]!.GetValue<decimal>());
            Assert.Equal(20m, pack["max_ev"]!.GetValue<decimal>());

            await a.BuyOkAsync("p1", 2, "u");
            await b.BuyOkAsync("p2", 1, "u");
            var (_, pulls) = await b.GetAsync("/api/v1/vm/recent-pulls?claw_ids=p1&limit=5");
            Assert.Equal(2, pulls.AsArray().Count);
            Assert.All(pulls.AsArray(), p => Assert.Equal("p1", p!["claw_id"]!.GetValue<string>()));
            Assert.Equal(3, (await a.GetAsync("/api/v1/vm/recent-pulls?claw_ids=p1,p2")).Body.AsArray().Count);
            Assert.Equal(3, (await a.GetAsync("/api/v1/vm/recent-pulls?limit=x")).Body.AsArray().Count);
            Assert.Empty((await a.GetAsync("/api/v1/vm/recent-pulls", a.OtherPartner)).Body.AsArray());

            var (status, inventory) = await b.GetAsync("/api/v1/inventory/u");
            Assert.Equal(HttpStatusCode.OK, status);
            var items = inventory["items"]!.AsArray();
            Assert.Equal(3, items.Count);
            VmApi.AssertError(HttpStatusCode.NotFound, "User not found", await b.GetAsync("/api/v1/inventory/u", b.OtherPartner));
            var p1Item = items.First(i => i!["claw_id"]!.GetValue<string>() == "p1")!["id"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/api/v1/card/{p1Item}")).Status);
            VmApi.AssertError(HttpStatusCode.NotFound, "Card not found", await a.GetAsync($"/api/v1/card/{p1Item}", a.OtherPartner));
            Assert.Equal(1, (await a.PackAsync("p1"))["in_stock"]!.GetValue<long>());
        }
        finally
        {
            await DisposeAllAsync(silos);
        }
    }

    [PostgresFact]
    public async Task ConcurrentBuybacksOfOneItemOnThreeNodesCreditItOnce()
    {
        var silos = await StartClusterAsync();
        try
        {
            var apis = silos.Select(s => new VmApi(s)).ToArray();
            await apis[0].PutPackAsync("p1", buybackPercent: 0.5m);
            await apis[0].AddCardsAsync("p1", "c", 10m);
            var sessionId = await apis[0].BuyOkAsync("p1", 1, "u");
            var itemId = (await apis[1].StatusAsync(sessionId)).Body["result"]!["nfts"]![0]!["id"]!.GetValue<string>();

            var answers = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => apis[i % 3].BuybackAsync(itemId)));

            Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
            Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a =>
                Assert.Contains(a.Body["error"]!.GetValue<string>(),
                    new[] { "Item not found", "A buyback request for this item is already being processed" }));
            Assert.Single(await silos[2].Grains.GetGrain<IBuybackLedgerGrain>("a:u").Entries());
            Assert.Equal(1, await BuybackTests.CreditRowsAsync(silos[0], itemId));
            Assert.Empty((await apis[2].GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray());
        }
        finally
        {
            await DisposeAllAsync(silos);
        }
    }
}
