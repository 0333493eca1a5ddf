using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>
/// Cards left reserved by a session that is over (a woken zombie silo's late claim) go back to the pool; a session
/// still under way keeps its cards. The test silo's backstop period, the sweep's period and minimum age, is 1 s.
/// </summary>
public class ReservationSweepTests
{
    [Fact]
    public async Task ACardReservedByASessionThatDoesNotExistIsBackInThePoolWithinAFewSweeps()
    {
        await using var silo = await TestSilo.StartSqliteAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m);

        Assert.NotNull(await silo.Grains.GetGrain<ICardGrain>("c-0").Reserve("a-session-nobody-wrote"));
        Assert.Equal(1, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());

        await Eventually.TrueAsync(async () => (await CardAsync(silo, "c-0")).Status == CardStatus.Available,
            TimeSpan.FromSeconds(15), "the pack's sweep reminder to release the orphaned card");
        Assert.Equal(2, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }

    [Fact]
    public async Task ACardReservedAfterItsSessionFinishedIsReleasedAndTheSessionsSoldCardsStaySold()
    {
        await using var silo = await TestSilo.StartSqliteAsync();
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m);
        var sessionId = await api.BuyOkAsync("p1", 1, "u");
        var sold = (await api.StatusAsync(sessionId)).Body["result"]!["nfts"]!.AsArray().Single()!["id"]!.GetValue<string>();
        var left = sold == "c-0" ? "c-1" : "c-0";

        Assert.NotNull(await silo.Grains.GetGrain<ICardGrain>(left).Reserve(sessionId));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // older than the sweep's minimum age
        // The pack's reminder (every second here) may have released it already; then this sweep finds nothing left.
        Assert.InRange(await silo.Grains.GetGrain<IReservationSweepGrain>("p1").SweepNow(), 0, 1);

        Assert.Equal(CardStatus.Available, (await CardAsync(silo, left)).Status);
        Assert.Equal(CardStatus.Sold, (await CardAsync(silo, sold)).Status);
    }

    [Fact]
    public async Task ASessionStillMintingKeepsItsCardsAndTheSweepDoesNotWaitForItsBuy()
    {
        var gated = new GatedFulfillment();
        await using var silo = await TestSilo.StartSqliteAsync(configure: b => b.Services.AddSingleton<IFulfillmentProvider>(gated));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);
        var buying = api.BuyAsync("p1", 2, "u");
        await gated.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10)); // buy/init is inside the session grain, minting

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var sweep = silo.Grains.GetGrain<IReservationSweepGrain>("p1").SweepNow();
        Assert.Equal(0, await sweep.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());

        gated.Gate.SetResult();
        var (status, body) = await buying;
        Assert.True(status == System.Net.HttpStatusCode.OK, body.ToJsonString());
        var sessionId = body["session_id"]!.GetValue<string>();
        Assert.Equal(2, (await api.StatusAsync(sessionId)).Body["result"]!["nfts"]!.AsArray().Count);
    }

    private static async Task<CardView> CardAsync(TestSilo silo, string cardId) =>
        (await silo.Grains.GetGrain<ICardGrain>(cardId).Get())!;
}
