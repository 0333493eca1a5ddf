using PurchaseGrains.Grains.Listings;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class QuantityLedgerTests
{
    [Fact]
    public void HoldSellAndReleaseMoveUnitsAndKeepTheInvariant()
    {
        var counters = ListingCounters.Fresh(10);
        var hold = QuantityLedger.Hold(counters, null, "i1", "email:a@b.co", 3, sellNow: false);
        Assert.Equal(new ListingCounters(10, 7, 3, 0), hold.Counters);
        Assert.Equal(new LedgerEntry("i1", "email:a@b.co", 3, HoldState.Held), hold.Write);

        var sell = QuantityLedger.Sell(hold.Counters, hold.Write);
        Assert.Equal(new ListingCounters(10, 7, 0, 3), sell.Counters);
        Assert.Equal(LedgerOutcome.Sold, sell.Outcome);

        var other = QuantityLedger.Hold(sell.Counters, null, "i2", "eth:0x1", 2, sellNow: false);
        var release = QuantityLedger.Release(other.Counters, other.Write, "i2", includeSold: false);
        Assert.Equal(new ListingCounters(10, 7, 0, 3), release.Counters);
        Assert.Equal(LedgerOutcome.Released, release.Outcome);
        Assert.All([hold, sell, other, release], step => Assert.True(step.Counters.IsBalanced));
    }

    [Fact]
    public void EveryStepRepeatedChangesNothing()
    {
        var hold = QuantityLedger.Hold(ListingCounters.Fresh(5), null, "i1", "k", 2, sellNow: false);
        var again = QuantityLedger.Hold(hold.Counters, hold.Write, "i1", "k", 2, sellNow: false);
        Assert.Equal(hold.Counters, again.Counters);
        Assert.Null(again.Write);
        Assert.Equal(LedgerOutcome.Held, again.Outcome);

        var sold = QuantityLedger.Sell(hold.Counters, hold.Write);
        var soldAgain = QuantityLedger.Sell(sold.Counters, sold.Write);
        Assert.Equal(sold.Counters, soldAgain.Counters);
        Assert.Null(soldAgain.Write);

        var released = QuantityLedger.Release(hold.Counters, hold.Write, "i1", includeSold: false);
        var releasedAgain = QuantityLedger.Release(released.Counters, released.Write, "i1", includeSold: false);
        Assert.Equal(released.Counters, releasedAgain.Counters);
        Assert.Equal(LedgerOutcome.Released, releasedAgain.Outcome);
    }

    [Fact]
    public void ALatePaymentDoesNotTakeBackReleasedUnits()
    {
        var hold = QuantityLedger.Hold(ListingCounters.Fresh(1), null, "i1", "k", 1, sellNow: false);
        var released = QuantityLedger.Release(hold.Counters, hold.Write, "i1", includeSold: false);
        var late = QuantityLedger.Sell(released.Counters, released.Write);
        Assert.Equal(LedgerOutcome.Released, late.Outcome);
        Assert.Equal(new ListingCounters(1, 1, 0, 0), late.Counters);
    }

    [Fact]
    public void ReleasingSoldUnitsNeedsIncludeSold()
    {
        var sold = QuantityLedger.Hold(ListingCounters.Fresh(4), null, "i1", "k", 2, sellNow: true);
        Assert.Equal(new ListingCounters(4, 2, 0, 2), sold.Counters);
        Assert.Equal(LedgerOutcome.Sold, QuantityLedger.Release(sold.Counters, sold.Write, "i1", includeSold: false).Outcome);
        var orphan = QuantityLedger.Release(sold.Counters, sold.Write, "i1", includeSold: true);
        Assert.Equal(new ListingCounters(4, 4, 0, 0), orphan.Counters);
    }

    [Fact]
    public void ReleasingAnIntentThatNeverHeldLeavesATombstoneThatBlocksALateHold()
    {
        var counters = ListingCounters.Fresh(3);
        var tombstone = QuantityLedger.Release(counters, null, "i1", includeSold: true);
        Assert.Equal(LedgerOutcome.NotFound, tombstone.Outcome);
        Assert.Equal(counters, tombstone.Counters);
        Assert.Equal(new LedgerEntry("i1", "", 0, HoldState.Released), tombstone.Write);

        var lateHold = QuantityLedger.Hold(tombstone.Counters, tombstone.Write, "i1", "k", 1, sellNow: false);
        Assert.Equal(LedgerOutcome.Released, lateHold.Outcome);
        Assert.Equal(counters, lateHold.Counters);
    }

    [Fact]
    public void SellingWithoutAHoldIsNotFound() =>
        Assert.Equal(LedgerOutcome.NotFound, QuantityLedger.Sell(ListingCounters.Fresh(1), null).Outcome);
}
