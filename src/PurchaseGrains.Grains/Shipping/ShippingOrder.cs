using Orleans;
using PurchaseGrains.Grains.Shipping.Carrier;

namespace PurchaseGrains.Grains.Shipping;

/// <summary>
/// <c>Placing → Pending → Processing → Shipped → Delivered</c>, or <c>→ Error</c> from any active status; and
/// <c>Placing → Refused</c> when the items could not be locked. Placing and Refused are never shown: such an order
/// answers like an unknown one.
/// </summary>
[GenerateSerializer, Alias("ship.OrderStatus")]
public enum OrderStatus { Placing, Pending, Processing, Shipped, Delivered, Error, Refused }

[GenerateSerializer, Immutable, Alias("ship.OrderPlacement")]
public sealed record OrderPlacement(
    [property: Id(0)] string Partner,
    [property: Id(1)] string UserId,
    [property: Id(2)] string QuoteId,
    [property: Id(3)] ShippingRate Rate,
    [property: Id(4)] ShippingDestination Destination,
    [property: Id(5)] IReadOnlyList<ShippingItem> Items);

[GenerateSerializer, Immutable, Alias("ship.OrderView")]
public sealed record ShippingOrderView(
    [property: Id(0)] string OrderId,
    [property: Id(1)] OrderStatus Status,
    [property: Id(2)] ShippingRate Rate,
    [property: Id(3)] string? TrackingNumber,
    [property: Id(4)] string? TrackingUrl,
    [property: Id(5)] ShippingDestination Destination,
    [property: Id(6)] IReadOnlyList<ShippingItem> Items,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? ShippedAt,
    [property: Id(9)] DateTimeOffset? DeliveredAt,
    [property: Id(10)] string? ErrorMessage);

public sealed class ShippingOrderState
{
    public OrderStatus Status { get; set; }
    public string Partner { get; set; } = "";
    public string UserId { get; set; } = "";
    public string QuoteId { get; set; } = "";
    public ShippingRate Rate { get; set; } = null!;
    public ShippingDestination Destination { get; set; } = null!;
    public List<ShippingItem> Items { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public string? ShipmentId { get; set; }
    public string? TrackingNumber { get; set; }
    public string? TrackingUrl { get; set; }
    public DateTimeOffset? ShippedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? ErrorMessage { get; set; }

    /// <summary>The inventory was told the items left (set once the order shipped).</summary>
    public bool ItemsShipped { get; set; }

    /// <summary>The inventory was given the items back (set once an order that never shipped ended in error).</summary>
    public bool ItemsReleased { get; set; }

    /// <summary>The trace of the request that placed the order: its timer and reminder ticks link to it.</summary>
    public string? TraceParent { get; set; }

    public bool IsVisible => Status is not (OrderStatus.Placing or OrderStatus.Refused);

    /// <summary>The carrier has more to say about it.</summary>
    public bool IsActive => Status is OrderStatus.Pending or OrderStatus.Processing or OrderStatus.Shipped;
}

/// <summary>The guarded transitions of <see cref="ShippingOrderState"/>; the grain persists and schedules around them.</summary>
public static class ShippingOrderFlow
{
    public static ShippingOrderState Start(OrderPlacement placement, DateTimeOffset now, string? traceParent) => new()
    {
        Status = OrderStatus.Placing,
        Partner = placement.Partner,
        UserId = placement.UserId,
        QuoteId = placement.QuoteId,
        Rate = placement.Rate,
        Destination = placement.Destination,
        Items = [.. placement.Items],
        CreatedAt = now,
        TraceParent = traceParent,
    };

    public static void Locked(ShippingOrderState order)
    {
        Require(order, OrderStatus.Placing);
        order.Status = OrderStatus.Pending;
    }

    public static void Refused(ShippingOrderState order)
    {
        Require(order, OrderStatus.Placing);
        order.Status = OrderStatus.Refused;
    }

    public static void ShipmentCreated(ShippingOrderState order, string shipmentId)
    {
        if (!order.IsActive || order.ShipmentId is not null)
            throw new InvalidOperationException($"A {order.Status} order with shipment {order.ShipmentId} cannot take shipment {shipmentId}.");
        order.ShipmentId = shipmentId;
    }

    /// <summary>
    /// Applies what the carrier says. Statuses only move forward (a stale report is ignored); a carrier that skips a
    /// step (processing straight to delivered) fills in the step's time. True when the order changed.
    /// </summary>
    public static bool Apply(ShippingOrderState order, CarrierReport report, DateTimeOffset now)
    {
        if (!order.IsActive)
            return false;
        var changed = false;
        if (report.TrackingNumber is { Length: > 0 } tracking && tracking != order.TrackingNumber)
        {
            order.TrackingNumber = tracking;
            changed = true;
        }
        if (report.TrackingUrl is { Length: > 0 } url && url != order.TrackingUrl)
        {
            order.TrackingUrl = url;
            changed = true;
        }
        switch (report.Status)
        {
            case CarrierStatus.Error:
                order.Status = OrderStatus.Error;
                order.ErrorMessage = string.IsNullOrWhiteSpace(report.ErrorMessage) ? "The carrier reported an error" : report.ErrorMessage;
                return true;
            case CarrierStatus.Processing when order.Status == OrderStatus.Pending:
                order.Status = OrderStatus.Processing;
                return true;
            case CarrierStatus.Shipped when order.Status is OrderStatus.Pending or OrderStatus.Processing:
                order.Status = OrderStatus.Shipped;
                order.ShippedAt = now;
                return true;
            case CarrierStatus.Delivered:
                order.Status = OrderStatus.Delivered;
                order.ShippedAt ??= now;
                order.DeliveredAt = now;
                return true;
            default:
                return changed;
        }
    }

    /// <summary>The order has shipped and the inventory has not yet been told that its items left.</summary>
    public static bool NeedsItemsShipped(ShippingOrderState order) => order.ShippedAt is not null && !order.ItemsShipped;

    /// <summary>The order ended in error before it shipped, and its items are not yet back in the inventory.</summary>
    public static bool NeedsItemsReleased(ShippingOrderState order) =>
        order.Status == OrderStatus.Error && order.ShippedAt is null && !order.ItemsReleased;

    /// <summary>Nothing more will happen to it: no timer, no reminder.</summary>
    public static bool IsFinished(ShippingOrderState order) => order.Status switch
    {
        OrderStatus.Refused => true,
        OrderStatus.Delivered => order.ItemsShipped,
        OrderStatus.Error => !NeedsItemsShipped(order) && !NeedsItemsReleased(order),
        _ => false,
    };

    private static void Require(ShippingOrderState order, OrderStatus expected)
    {
        if (order.Status != expected)
            throw new InvalidOperationException($"Order is {order.Status}, expected {expected}.");
    }
}
