using PurchaseGrains.Grains.VendingMachine;

namespace PurchaseGrains.Tests.VendingMachine;

public class PurchaseSessionFlowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly PackDefinition Pack = new("p1", "p1-slug", "mainnet", "P1", true, null, 10m, 5, [], 0.5m, null,
        [new RarityTier("t", "T", null, 0m, 100m, 1m)], Now);

    private static PurchaseSessionState NewSession(int amount = 1) =>
        PurchaseSessionFlow.Start("a", "u1", Pack, amount, "_ABCDEF", "s1", Now, TimeSpan.FromMinutes(10));

    private static SessionItem Item(string id) =>
        new(new CardData(id, id, null, null, 10m, "enft", null, null, null, []), 5m, null);

    [Fact]
    public void ASessionStartsAssigningWithItsMintOperationIdAndDeadline()
    {
        var session = NewSession();
        Assert.Equal(SessionStatus.Assigning, session.Status);
        Assert.Equal("mint_s1", session.OperationId);
        Assert.Equal(Now.AddMinutes(10), session.Deadline);
        Assert.Equal(0.5m, session.BuybackPercent);
    }

    [Fact]
    public void AFailingSessionGivesBackEveryCardItTriedWhileAssigning()
    {
        var session = NewSession(amount: 2);
        PurchaseSessionFlow.WillTry(session, ["c1", "c2"]);
        PurchaseSessionFlow.WillTry(session, ["c2", "c3"]);
        PurchaseSessionFlow.Fail(session, SessionFailure.Interrupted);
        Assert.Equal(["c1", "c2", "c3"], PurchaseSessionFlow.CardsToRelease(session));
    }

    [Fact]
    public void OnceAssignedASessionGivesBackOnlyItsItems()
    {
        var session = NewSession(amount: 1);
        PurchaseSessionFlow.WillTry(session, ["c1", "c2", "c3"]);
        PurchaseSessionFlow.Assigned(session, [Item("c2")]);
        Assert.Empty(session.Candidates);
        PurchaseSessionFlow.Fail(session, SessionFailure.MintFailed);
        Assert.Equal(["c2"], PurchaseSessionFlow.CardsToRelease(session));
    }

    [Fact]
    public void TheHappyPathGoesAssignedMintedDelivered()
    {
        var session = NewSession();
        PurchaseSessionFlow.Assigned(session, [Item("c1")]);
        Assert.Equal(SessionStatus.Minting, session.Status);
        PurchaseSessionFlow.MintAccepted(session, "m1");
        PurchaseSessionFlow.Minted(session, "0xabc", new Dictionary<string, string> { ["c1"] = "addr1" }, Now.AddSeconds(5));
        Assert.Equal(SessionStatus.Completing, session.Status);
        Assert.Equal("addr1", session.Items[0].MintAddress);
        PurchaseSessionFlow.Delivered(session);
        Assert.Equal(SessionStatus.Fulfilled, session.Status);
        Assert.Equal(Now.AddSeconds(5), session.FulfilledAt);
        Assert.True(session.IsTerminal);
    }

    [Fact]
    public void AssigningTheWrongNumberOfCardsIsRefused()
    {
        var session = NewSession(amount: 2);
        Assert.Throws<InvalidOperationException>(() => PurchaseSessionFlow.Assigned(session, [Item("c1")]));
    }

    [Fact]
    public void AMintedSessionCanNoLongerFailAndReleaseItsCards()
    {
        var session = NewSession();
        PurchaseSessionFlow.Assigned(session, [Item("c1")]);
        PurchaseSessionFlow.Minted(session, "0xabc", null, Now);
        Assert.Throws<InvalidOperationException>(() => PurchaseSessionFlow.Fail(session, SessionFailure.DeadlinePassed));
    }

    [Fact]
    public void AFailedSessionReleasesThenIsTerminal()
    {
        var session = NewSession();
        PurchaseSessionFlow.Assigned(session, [Item("c1")]);
        PurchaseSessionFlow.Fail(session, SessionFailure.MintFailed);
        Assert.Equal(SessionStatus.Releasing, session.Status);
        Assert.False(session.IsTerminal);
        PurchaseSessionFlow.Released(session);
        Assert.Equal(SessionStatus.Failed, session.Status);
        Assert.Throws<InvalidOperationException>(() => PurchaseSessionFlow.Minted(session, "x", null, Now));
    }

    [Fact]
    public void TheDeadlineIsReachedAtDeadlineTime()
    {
        var session = NewSession();
        Assert.False(PurchaseSessionFlow.IsPastDeadline(session, Now.AddMinutes(9)));
        Assert.True(PurchaseSessionFlow.IsPastDeadline(session, Now.AddMinutes(10)));
    }

    [Fact]
    public void AFulfilledSessionWritesOneRecentPullRowPerItem()
    {
        var session = NewSession(amount: 2);
        Assert.Empty(session.GetIndexRows(new("vm_session", "s1")));
        PurchaseSessionFlow.Assigned(session, [Item("c1"), Item("c2")]);
        PurchaseSessionFlow.Minted(session, "tx", null, Now);
        PurchaseSessionFlow.Delivered(session);
        var rows = session.GetIndexRows(new("vm_session", "s1")).ToList();
        Assert.Equal(["c1", "c2"], rows.Select(r => r.Key));
        Assert.All(rows, r => Assert.Equal("a", r.Columns["partner"]));
    }
}

public class BuybackRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static InventoryEntry Entry(OwnedItemStatus status = OwnedItemStatus.Owned, DateTimeOffset? expires = null) => new()
    {
        Item = new OwnedItem(new SessionItem(new CardData("c1", "c1", null, null, 10m, "enft", null, null, null, []), 8m, null),
            "p", "p-slug", "s1", Now.AddDays(-1), expires ?? Now.AddDays(6)),
        Status = status,
        BuybackOperationId = status == OwnedItemStatus.Owned ? null : "op1",
    };

    [Fact]
    public void AnOwnedUnexpiredItemCanBeSoldBack() => Assert.Equal(BuybackDecision.Start, BuybackRules.Decide(Entry(), Now));

    [Fact]
    public void AnUnknownItemIsNotFound() => Assert.Equal(BuybackDecision.NotFound, BuybackRules.Decide(null, Now));

    [Fact]
    public void ASoldBackItemIsNotFound() =>
        Assert.Equal(BuybackDecision.NotFound, BuybackRules.Decide(Entry(OwnedItemStatus.SoldBack), Now));

    [Fact]
    public void APendingBuybackIsInProgress() =>
        Assert.Equal(BuybackDecision.InProgress, BuybackRules.Decide(Entry(OwnedItemStatus.BuybackPending), Now));

    [Fact]
    public void AnItemPastItsBuybackWindowHasExpired() =>
        Assert.Equal(BuybackDecision.Expired, BuybackRules.Decide(Entry(expires: Now), Now));

    [Fact]
    public void OnlyThePendingOperationCompletesABuybackAndOnlyOnce()
    {
        var entry = Entry(OwnedItemStatus.BuybackPending);
        Assert.False(BuybackRules.Complete(entry, "other-op", Now));
        Assert.True(BuybackRules.Complete(entry, "op1", Now));
        Assert.Equal(OwnedItemStatus.SoldBack, entry.Status);
        Assert.False(BuybackRules.Complete(entry, "op1", Now));
    }
}

public class VmRequestRulesTests
{
    [Fact]
    public void PackValidationRejectsABuybackPercentAboveOne() =>
        Assert.Equal("buyback_percent must be a fraction between 0 and 1",
            PackDefinition.Validate("s", "n", 1, 1m, 85m, [new RarityTier("t", "t", null, 0m, 1m, 1m)]));

    [Theory]
    [InlineData(null, 20)]
    [InlineData("abc", 20)]
    [InlineData("0", 1)]
    [InlineData("-5", 1)]
    [InlineData("7", 7)]
    [InlineData("1000", 100)]
    public void RecentPullsLimitIsClampedAndDefaultsTo20(string? limit, int expected) =>
        Assert.Equal(expected, PurchaseGrains.Silo.Endpoints.VendingMachine.VendingMachineEndpoints.ParsePullLimit(limit));
}
