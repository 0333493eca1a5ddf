using PurchaseGrains.Grains.Shipping;
using PurchaseGrains.Grains.Shipping.Carrier;
using PurchaseGrains.Grains.VendingMachine;

namespace PurchaseGrains.Tests.Shipping.Domain;

/// <summary>The plain rules of shipping, without a silo: locks, quotes, the order's transitions, ids, destinations.</summary>
public sealed class ShippingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ShippingDestination Home = new("Ada", "1 Main St", null, "Springfield", "IL", "62701", "US", null, null);
    private static readonly ShippingRate Standard = new("sandbox", "standard", 4.99m, 3, 7, false);

    [Fact]
    public void ItemsLockAllOrNone()
    {
        var items = Inventory("i1", "i2", "i3");
        items[2].Status = OwnedItemStatus.SoldBack;

        Assert.False(ShippingLocks.TryLock(items, "order_1", ["i1", "i3"], out _));
        Assert.False(ShippingLocks.TryLock(items, "order_1", ["i1", "missing"], out _));
        Assert.All(items.Take(2), e => Assert.Equal(OwnedItemStatus.Owned, e.Status));

        Assert.True(ShippingLocks.TryLock(items, "order_1", ["i1", "i2"], out var changed));
        Assert.True(changed);
        Assert.True(ShippingLocks.TryLock(items, "order_1", ["i1", "i2"], out changed));
        Assert.False(changed);
        Assert.False(ShippingLocks.TryLock(items, "order_2", ["i2"], out _));
        Assert.All(items.Take(2), e => Assert.False(e.IsListed));
    }

    [Fact]
    public void ReleaseAndShipOnlyMoveTheItemsOfTheirOwnOrderAndOnlyOnce()
    {
        var items = Inventory("i1", "i2");
        ShippingLocks.TryLock(items, "order_1", ["i1"], out _);
        ShippingLocks.TryLock(items, "order_2", ["i2"], out _);

        Assert.True(ShippingLocks.Release(items, "order_1"));
        Assert.False(ShippingLocks.Release(items, "order_1"));
        Assert.Equal(OwnedItemStatus.Owned, items[0].Status);
        Assert.Equal(OwnedItemStatus.InShippingOrder, items[1].Status);

        ShippingLocks.TryLock(items, "order_3", ["i1"], out _);
        Assert.False(ShippingLocks.Release(items, "order_1"));
        Assert.True(ShippingLocks.Ship(items, "order_3"));
        Assert.Equal(OwnedItemStatus.Shipped, items[0].Status);
        Assert.False(ShippingLocks.Release(items, "order_3"));
        Assert.Null(ShippingLocks.Shippable(items, ["i1"]));
    }

    [Fact]
    public void AnItemInAShippingOrderOrShippedCannotBeSoldBack()
    {
        var items = Inventory("i1", "i2");
        ShippingLocks.TryLock(items, "order_1", ["i1"], out _);
        ShippingLocks.TryLock(items, "order_2", ["i2"], out _);
        ShippingLocks.Ship(items, "order_2");

        Assert.Equal(BuybackDecision.NotFound, BuybackRules.Decide(items[0], Now));
        Assert.Equal(BuybackDecision.NotFound, BuybackRules.Decide(items[1], Now));
        var pending = Inventory("i3");
        pending[0].Status = OwnedItemStatus.BuybackPending;
        Assert.Null(ShippingLocks.Shippable(pending, ["i3"]));
        Assert.False(ShippingLocks.TryLock(pending, "order_3", ["i3"], out _));
    }

    [Fact]
    public void AQuoteIsRefusedToOtherPartnersUnknownServicesAndAfterExpiry()
    {
        var quote = Quote();

        Assert.Equal((QuoteRules.Next.Refuse, OrderRefusal.QuoteNotFound), QuoteRules.Decide(null, "a", "standard", Now));
        Assert.Equal((QuoteRules.Next.Refuse, OrderRefusal.QuoteNotFound), QuoteRules.Decide(quote, "b", "standard", Now));
        Assert.Equal((QuoteRules.Next.Refuse, OrderRefusal.QuoteNotFound), QuoteRules.Decide(quote, "a", "overnight", Now));
        Assert.Equal((QuoteRules.Next.PlaceOrder, OrderRefusal.None), QuoteRules.Decide(quote, "a", "standard", quote.ExpiresAt.AddTicks(-1)));
        Assert.Equal((QuoteRules.Next.Refuse, OrderRefusal.QuoteExpired), QuoteRules.Decide(quote, "a", "standard", quote.ExpiresAt));
    }

    [Fact]
    public void AnOrderedQuoteAnswersItsOrderEvenAfterExpiryAndAnUnplacedOneIsPlacedAgain()
    {
        var quote = Quote();
        QuoteRules.OrderChosen(quote, "order_1", "standard");
        var late = quote.ExpiresAt.AddHours(1);

        Assert.Equal((QuoteRules.Next.PlaceOrder, OrderRefusal.None), QuoteRules.Decide(quote, "a", "standard", late));
        quote.OrderPlaced = true;
        Assert.Equal((QuoteRules.Next.AnswerOrder, OrderRefusal.None), QuoteRules.Decide(quote, "a", "standard", late));
        Assert.Equal((QuoteRules.Next.Refuse, OrderRefusal.ItemNotFound), QuoteRules.Decide(quote, "a", "express", Now));

        QuoteRules.OrderRefused(quote);
        Assert.Null(quote.OrderId);
        Assert.Equal((QuoteRules.Next.PlaceOrder, OrderRefusal.None), QuoteRules.Decide(quote, "a", "express", Now));
    }

    [Fact]
    public void AnOrderMovesOnlyForwardAndFillsInTheStepsACarrierSkips()
    {
        var order = PlacedOrder();

        Assert.True(ShippingOrderFlow.Apply(order, Report(CarrierStatus.Processing), Now));
        Assert.Equal(OrderStatus.Processing, order.Status);
        Assert.False(ShippingOrderFlow.Apply(order, Report(CarrierStatus.Pending), Now));
        Assert.True(ShippingOrderFlow.Apply(order, Report(CarrierStatus.Delivered, "T1"), Now.AddDays(2)));
        Assert.Equal((OrderStatus.Delivered, Now.AddDays(2), Now.AddDays(2), "T1"), (order.Status, order.ShippedAt, order.DeliveredAt, order.TrackingNumber));
        Assert.False(ShippingOrderFlow.Apply(order, Report(CarrierStatus.Error), Now.AddDays(3)));
        Assert.True(ShippingOrderFlow.NeedsItemsShipped(order));
        Assert.False(ShippingOrderFlow.IsFinished(order));
        order.ItemsShipped = true;
        Assert.True(ShippingOrderFlow.IsFinished(order));
    }

    [Fact]
    public void AnErrorBeforeShippingReleasesTheItemsAndOneAfterShippingDoesNot()
    {
        var early = PlacedOrder();
        ShippingOrderFlow.Apply(early, Report(CarrierStatus.Error), Now);
        Assert.Equal(("The carrier reported an error", true, false), (early.ErrorMessage, ShippingOrderFlow.NeedsItemsReleased(early), ShippingOrderFlow.IsFinished(early)));
        early.ItemsReleased = true;
        Assert.True(ShippingOrderFlow.IsFinished(early));

        var late = PlacedOrder();
        ShippingOrderFlow.Apply(late, Report(CarrierStatus.Shipped, "T2"), Now);
        ShippingOrderFlow.Apply(late, new CarrierReport(CarrierStatus.Error, null, null, "Lost in transit"), Now.AddDays(1));
        Assert.Equal(("Lost in transit", false, true), (late.ErrorMessage, ShippingOrderFlow.NeedsItemsReleased(late), ShippingOrderFlow.NeedsItemsShipped(late)));
    }

    [Fact]
    public void AnOrderThatCouldNotLockItsItemsIsRefusedFinishedAndNeverShown()
    {
        var order = ShippingOrderFlow.Start(new OrderPlacement("a", "u", "q", Standard, Home, []), Now, null);
        Assert.False(order.IsVisible);
        ShippingOrderFlow.Refused(order);
        Assert.False(order.IsVisible);
        Assert.True(ShippingOrderFlow.IsFinished(order));
        Assert.Throws<InvalidOperationException>(() => ShippingOrderFlow.Locked(order));
    }

    [Fact]
    public void QuoteIdsSplitIntoSessionAndServiceAndOrderIdsHaveTheirShape()
    {
        var session = ShippingIds.NewQuoteSession();
        Assert.True(ShippingIds.TryParseQuoteId(ShippingIds.QuoteId(session, "two_day-air"), out var parsed, out var service));
        Assert.Equal((session, "two_day-air"), (parsed, service));
        foreach (var bad in new[] { null, "", session, session + "_rate_", session + "_rate_a b", "quote_short_rate_standard", session[..^1] + "!_rate_x" })
            Assert.False(ShippingIds.TryParseQuoteId(bad, out _, out _));
        Assert.True(ShippingIds.IsOrderId(ShippingIds.NewOrder()));
        Assert.False(ShippingIds.IsOrderId(session));
        Assert.NotEqual(ShippingIds.NewOrder(), ShippingIds.NewOrder());
    }

    [Fact]
    public void ADestinationNeedsItsRequiredFieldsAndAKnownCountry()
    {
        Assert.Equal(249, Countries.Count);
        var valid = DestinationRules.Validate(" Ada ", "1 Main St", "", "Springfield", null, "62701", "gb", " ", "a@example.com");
        Assert.Equal(new ShippingDestination("Ada", "1 Main St", null, "Springfield", null, "62701", "GB", null, "a@example.com"), valid);
        Assert.Null(DestinationRules.Validate("Ada", "1 Main St", null, "Springfield", null, "62701", "UK", null, null));
        Assert.Null(DestinationRules.Validate("Ada", "1 Main St", null, "Springfield", null, "", "US", null, null));
        Assert.Null(DestinationRules.Validate("Ada", "1 Main St", new string('x', 201), "Springfield", null, "62701", "US", null, null));
    }

    [Fact]
    public void TheSandboxTimelineRunsThroughEveryStatusOnItsDelays()
    {
        var delays = new SandboxCarrierOptions
        {
            ProcessingAfter = TimeSpan.FromSeconds(10), ShippedAfter = TimeSpan.FromMinutes(1), DeliveredAfter = TimeSpan.FromMinutes(5),
        };
        var shipment = new SandboxShipmentState { CreatedAt = Now };
        CarrierStatus At(TimeSpan elapsed, SandboxShipmentState s) => SandboxTimeline.At(s, delays, Now + elapsed, "order_x").Status;

        Assert.Equal(CarrierStatus.Pending, At(TimeSpan.FromSeconds(9), shipment));
        Assert.Equal(CarrierStatus.Processing, At(TimeSpan.FromSeconds(10), shipment));
        Assert.Equal(CarrierStatus.Shipped, At(TimeSpan.FromMinutes(1), shipment));
        Assert.Equal(CarrierStatus.Delivered, At(TimeSpan.FromMinutes(5), shipment));
        Assert.Equal(CarrierStatus.Error, At(TimeSpan.FromMinutes(5), new SandboxShipmentState { CreatedAt = Now, Fails = true }));
        Assert.Equal(SandboxTimeline.TrackingNumber("order_x"), SandboxTimeline.At(shipment, delays, Now.AddHours(1), "order_x").TrackingNumber);
    }

    private static List<InventoryEntry> Inventory(params string[] ids) => ids.Select(id => new InventoryEntry
    {
        Item = new OwnedItem(new SessionItem(new CardData(id, id, null, null, 1m, "enft", null, null, null, []), 0.5m, null), "p", "p", "s",
            Now, Now.AddDays(7)),
        Status = OwnedItemStatus.Owned,
    }).ToList();

    private static ShippingQuoteState Quote() => new()
    {
        Partner = "a", UserId = "u", Destination = Home, Rates = [Standard, Standard with { Service = "express" }],
        CreatedAt = Now, ExpiresAt = Now.AddMinutes(15),
    };

    private static ShippingOrderState PlacedOrder()
    {
        var order = ShippingOrderFlow.Start(new OrderPlacement("a", "u", "q", Standard, Home, []), Now, null);
        ShippingOrderFlow.Locked(order);
        ShippingOrderFlow.ShipmentCreated(order, "shp_1");
        return order;
    }

    private static CarrierReport Report(CarrierStatus status, string? tracking = null) => new(status, tracking, null, null);
}
