using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class HoldBatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ListingSnapshot Listing(long remaining, int? maxPerUser = null)
    {
        var definition = ListingValidator.Validate(ListingRulesTests.Draft(maxPerTx: 5,
            policy: new PolicyDraft("FCFS", null, maxPerUser, null, null)) with { StartTime = Now.AddHours(-1) }, Now).Definition!;
        return new ListingSnapshot("l1", "a", definition, remaining, Now);
    }

    private static HoldRequest Request(string intent, string buyer, int quantity) =>
        new(intent, "a", PaymentProvider.Stripe, new BuyerIdentity($"{buyer}@x.io", null, FulfillmentMethod.Email, $"email:{buyer}@x.io"),
            quantity, SellNow: false, Bucket: "PENDING|STRIPE|PENDING|EMAIL");

    [Fact]
    public void EachAcceptedHoldLowersWhatRemainsForTheNext()
    {
        var decision = HoldBatch.Decide(Listing(3), new ListingCounters(3, 3, 0, 0), new Dictionary<string, LedgerEntry>(), new Dictionary<string, long>(),
            [Request("i1", "a", 2), Request("i2", "b", 2), Request("i3", "c", 1)], Now);

        Assert.Equal([LedgerOutcome.Held, LedgerOutcome.NotFound, LedgerOutcome.Held], decision.Results.Select(r => r.Outcome));
        Assert.Equal("Only 1 left on this listing", decision.Results[1].Refusal!.Message);
        Assert.Equal(new ListingCounters(3, 0, 3, 0), decision.Counters);
        Assert.Equal(["i1", "i3"], decision.NewLines.Select(l => l.IntentId));
        Assert.All(decision.NewLines, l => Assert.Equal("PENDING|STRIPE|PENDING|EMAIL", l.Bucket));
    }

    [Fact]
    public void ABuyersEarlierHoldsInTheSameBatchCountTowardsMaxPerUser()
    {
        var decision = HoldBatch.Decide(Listing(10, maxPerUser: 3), new ListingCounters(10, 10, 0, 0), new Dictionary<string, LedgerEntry>(),
            new Dictionary<string, long> { ["email:a@x.io"] = 1 }, [Request("i1", "a", 1), Request("i2", "a", 2), Request("i3", "b", 3)], Now);

        Assert.Equal([LedgerOutcome.Held, LedgerOutcome.NotFound, LedgerOutcome.Held], decision.Results.Select(r => r.Outcome));
        Assert.Equal("Buyer would exceed the limit of 3 per user", decision.Results[1].Refusal!.Message);
    }

    [Fact]
    public void ARepeatedRequestAnswersItsExistingLineAndChangesNothing()
    {
        var line = new LedgerEntry("i1", "email:a@x.io", 2, HoldState.Sold, "CONFIRMED|STRIPE|PENDING|EMAIL");
        var counters = new ListingCounters(5, 3, 0, 2);
        var decision = HoldBatch.Decide(Listing(3), counters, new Dictionary<string, LedgerEntry> { ["i1"] = line }, new Dictionary<string, long>(),
            [Request("i1", "a", 2), Request("i1", "a", 2)], Now);

        Assert.Equal([LedgerOutcome.Sold, LedgerOutcome.Sold], decision.Results.Select(r => r.Outcome));
        Assert.Equal(counters, decision.Counters);
        Assert.Empty(decision.NewLines);
    }
}
