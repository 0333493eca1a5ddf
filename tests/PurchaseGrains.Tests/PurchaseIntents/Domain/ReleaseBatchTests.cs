using PurchaseGrains.Grains.Listings;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class ReleaseBatchTests
{
    private const string Expired = "EXPIRED|STRIPE|PENDING|EMAIL";

    private static Dictionary<string, LedgerEntry> Lines(params LedgerEntry[] lines) => lines.ToDictionary(l => l.IntentId);

    private static LedgerAnswer Moved(LedgerOutcome outcome) => new(outcome, MovedNow: true);

    private static LedgerAnswer Unmoved(LedgerOutcome outcome) => new(outcome, MovedNow: false);

    [Fact]
    public void ReleasesInOneBatchGiveBackEachHeldIntentOnce()
    {
        var lines = Lines(new LedgerEntry("i1", "email:a", 2, HoldState.Held, "PENDING|STRIPE|PENDING|EMAIL"),
            new LedgerEntry("i2", "email:b", 1, HoldState.Held, "PENDING|STRIPE|PENDING|EMAIL"));

        var decision = ReleaseBatch.Decide(new ListingCounters(10, 7, 3, 0), lines,
            [new ReleaseRequest("i1", false, Expired), new ReleaseRequest("i1", false, Expired), new ReleaseRequest("i2", false, Expired)]);

        Assert.Equal([Moved(LedgerOutcome.Released), Unmoved(LedgerOutcome.Released), Moved(LedgerOutcome.Released)], decision.Answers);
        Assert.Equal(new ListingCounters(10, 10, 0, 0), decision.Counters);
        Assert.Equal(["i1", "i2"], decision.Changes.Select(c => c.After.IntentId));
        Assert.All(decision.Changes, c => Assert.Equal((HoldState.Released, Expired), (c.After.State, c.After.Bucket)));
    }

    [Fact]
    public void SoldUnitsStayUnlessIncludedAndAnUnknownIntentGetsAZeroLineSoALateHoldCannotApply()
    {
        var lines = Lines(new LedgerEntry("sold", "email:a", 1, HoldState.Sold, "CONFIRMED|STRIPE|PENDING|EMAIL"),
            new LedgerEntry("abandoned", "email:b", 2, HoldState.Sold, "CONFIRMED|EMAIL_CLAIM|PENDING|EMAIL"));

        var decision = ReleaseBatch.Decide(new ListingCounters(10, 7, 0, 3), lines,
            [new ReleaseRequest("sold", false, Expired), new ReleaseRequest("abandoned", true, null), new ReleaseRequest("unknown", true, null)]);

        Assert.Equal([Unmoved(LedgerOutcome.Sold), Moved(LedgerOutcome.Released), Unmoved(LedgerOutcome.NotFound)], decision.Answers);
        Assert.Equal(new ListingCounters(10, 9, 0, 1), decision.Counters);
        Assert.Equal([("abandoned", HoldState.Released, 2L), ("unknown", HoldState.Released, 0L)],
            decision.Changes.Select(c => (c.After.IntentId, c.After.State, c.After.Quantity)));
        Assert.Null(decision.Changes[0].After.Bucket);
    }

    [Fact]
    public void ReleasingUnitsAlreadyGivenBackLeavesTheIntentCountedWhereTheStepThatGaveThemBackPutIt()
    {
        const string cancelled = "CANCELLED|STRIPE|PENDING|EMAIL";
        var lines = Lines(new LedgerEntry("i1", "email:a", 2, HoldState.Released, cancelled));

        var decision = ReleaseBatch.Decide(new ListingCounters(10, 10, 0, 0), lines, [new ReleaseRequest("i1", false, Expired)]);

        Assert.Equal([Unmoved(LedgerOutcome.Released)], decision.Answers);
        Assert.Empty(decision.Changes);
        Assert.Equal(new ListingCounters(10, 10, 0, 0), decision.Counters);
    }
}
