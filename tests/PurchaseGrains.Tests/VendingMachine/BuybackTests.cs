using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.VendingMachine;
using Orleans;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>A payout that holds every credit until released, so a buyback can be caught in flight.</summary>
public sealed class GatedPayout(IGrainFactory grains) : IBuybackPayout
{
    private readonly LedgerBuybackPayout _ledger = new(grains);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task CreditAsync(BuybackCredit credit, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Gate.Task;
        await _ledger.CreditAsync(credit, cancellationToken);
    }

    public static Action<WebApplicationBuilder> Install(Action<GatedPayout> capture) => builder =>
        builder.Services.AddSingleton<IBuybackPayout>(sp =>
        {
            var payout = new GatedPayout(sp.GetRequiredService<IGrainFactory>());
            capture(payout);
            return payout;
        });
}

public class BuybackTests
{
    internal static async Task<long> CreditRowsAsync(TestSilo silo, string itemId) =>
        await silo.Services.GetRequiredService<IIndexQueries>().QuerySingleOrDefaultAsync<long>(
            "SELECT COUNT(*) FROM vm_buyback_credits WHERE item_id = @itemId", new { itemId }, CancellationToken.None);

    private static async Task<string> BuyOneAsync(VmApi api, string userId = "u")
    {
        var sessionId = await api.BuyOkAsync("p1", 1, userId);
        return (await api.StatusAsync(sessionId)).Body["result"]!["nfts"]![0]!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task BuybackCreditsTheFrozenPriceOnceAndTheItemLeavesTheInventory()
    {
        await using var silo = await TestSilo.StartSqliteAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1", buybackPercent: 0.85m);
        await api.AddCardsAsync("p1", "c", 10m);
        var itemId = await BuyOneAsync(api);
        await api.PutPackAsync("p1", buybackPercent: 0.1m); // frozen at purchase: a later change does not apply

        var (status, body) = await api.BuybackAsync(itemId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"success":true,"amount":8.50}""", body.ToJsonString());

        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.BuybackAsync(itemId));
        Assert.Empty((await api.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray());
        var ledger = await silo.Grains.GetGrain<IBuybackLedgerGrain>("a:u").Entries();
        Assert.Equal(8.50m, Assert.Single(ledger).Amount);
        Assert.Equal(1, await CreditRowsAsync(silo, itemId));
        Assert.Equal(0, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>()); // a sold-back card never returns to the pool
    }

    [Fact]
    public async Task BuybackOfUnknownPoolOrAnotherPartnersItemIsItemNotFound()
    {
        await using var silo = await TestSilo.StartSqliteAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 10m, 20m);
        var itemId = await BuyOneAsync(api);
        var poolCard = itemId == "c-0" ? "c-1" : "c-0";

        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.BuybackAsync(itemId, api.OtherPartner));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.BuybackAsync("nope"));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.BuybackAsync(poolCard));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.BuybackAsync(""));
        Assert.Equal(HttpStatusCode.OK, (await api.BuybackAsync(itemId)).Status);
    }

    [Fact]
    public async Task BuybackOfAnExpiredItemIsRefused()
    {
        await using var silo = await TestSilo.StartSqliteAsync(settings: new Dictionary<string, string?> { ["Vm:BuybackWindow"] = "00:00:00.001" });
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 10m);
        var itemId = await BuyOneAsync(api);

        VmApi.AssertError(HttpStatusCode.BadRequest, "Item has expired", await api.BuybackAsync(itemId));
        Assert.Single((await api.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray());
        Assert.Equal(0, await CreditRowsAsync(silo, itemId));
    }

    [Fact]
    public async Task ASecondBuybackWhileOneIsInFlightIsTooManyRequests()
    {
        GatedPayout? payout = null;
        await using var silo = await TestSilo.StartSqliteAsync(configure: GatedPayout.Install(p => payout = p));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1", buybackPercent: 0.5m);
        await api.AddCardsAsync("p1", "c", 10m);
        var itemId = await BuyOneAsync(api);

        var first = api.BuybackAsync(itemId);
        await payout!.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        VmApi.AssertError(HttpStatusCode.TooManyRequests, "A buyback request for this item is already being processed", await api.BuybackAsync(itemId));
        payout.Gate.SetResult();

        var (status, body) = await first;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5m, body["amount"]!.GetValue<decimal>());
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api.BuybackAsync(itemId));
        Assert.Single(await silo.Grains.GetGrain<IBuybackLedgerGrain>("a:u").Entries());
    }

    [Fact]
    public async Task ABuybackInterruptedByACrashIsCompletedByTheReminderOnTheNextNode()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vm-buyback-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Vm:RecoveryDelay"] = "00:00:01" };
        GatedPayout? payout = null;
        string itemId;
        var first = await TestSilo.StartSqliteAsync(file, settings, GatedPayout.Install(p => payout = p));
        var api = new VmApi(first);
        await api.PutPackAsync("p1", buybackPercent: 0.5m);
        await api.AddCardsAsync("p1", "c", 10m);
        itemId = await BuyOneAsync(api);
        var inFlight = api.BuybackAsync(itemId);
        await payout!.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await first.KillAsync();
        payout.Gate.SetException(new OperationCanceledException("node killed"));
        await Assert.ThrowsAnyAsync<Exception>(async () => { var (s, _) = await inFlight; if (s != HttpStatusCode.OK) throw new HttpRequestException(); });

        await using var second = await TestSilo.StartSqliteAsync(file, settings);
        var api2 = new VmApi(second);
        await Eventually.TrueAsync(async () => (await api2.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray().Count == 0,
            TimeSpan.FromSeconds(10), "the buyback reminder to complete the pending buyback");
        Assert.Equal(5m, Assert.Single(await second.Grains.GetGrain<IBuybackLedgerGrain>("a:u").Entries()).Amount);
        Assert.Equal(1, await CreditRowsAsync(second, itemId));
        VmApi.AssertError(HttpStatusCode.BadRequest, "Item not found", await api2.BuybackAsync(itemId));
    }
}
