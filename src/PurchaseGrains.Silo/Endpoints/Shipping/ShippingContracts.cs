using PurchaseGrains.Grains.Shipping;
using PurchaseGrains.Grains.Shipping.Carrier;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Silo.Endpoints.Shipping;

// Wire shapes of the Phygitals partner API v1, shipping (API.md section A2). snake_case comes from ApiJson.

public sealed record DestinationRequest(string? Name, string? Line1, string? Line2, string? City, string? State, string? PostalCode,
    string? Country, string? Phone, string? Email);

public sealed record ShipQuoteRequest(IReadOnlyList<string?>? ItemIds, DestinationRequest? Destination);

public sealed record ShipQuote(string Id, string Carrier, string Service, [property: Usd] decimal Amount, int EstimatedDaysMin,
    int EstimatedDaysMax, bool Insured);

public sealed record ShipQuoteResponse(string SessionId, DateTime ExpiresAt, IReadOnlyList<ShipQuote> Quotes)
{
    public static ShipQuoteResponse From(QuoteView quote) => new(quote.SessionId, quote.ExpiresAt.UtcDateTime,
        quote.Rates.Select(r => new ShipQuote(ShippingIds.QuoteId(quote.SessionId, r.Service), r.Carrier, r.Service, r.Amount,
            r.EstimatedDaysMin, r.EstimatedDaysMax, r.Insured)).ToList());
}

public sealed record ShipRequestRequest(string? QuoteId);

public sealed record ShipRequestResponse(string OrderId, string Status)
{
    public static ShipRequestResponse Success(string orderId) => new(orderId, "success");
}

/// <summary>The destination as an order shows it: without phone and email.</summary>
public sealed record OrderDestination(string Name, string Line1, string? Line2, string City, string? State, string PostalCode, string Country);

public sealed record OrderItem(string ItemId, string Name, string? Image, string? BackImage);

public sealed record ShipOrderResponse(
    string OrderId, string Status, string Carrier, string Service, string? TrackingNumber, string? TrackingUrl,
    [property: Usd] decimal Amount, string Currency, OrderDestination Destination, IReadOnlyList<OrderItem> Items, DateTime CreatedAt,
    DateTime? ShippedAt, DateTime? DeliveredAt, string? ErrorMessage)
{
    public const string Usd = "USD";

    public static ShipOrderResponse From(ShippingOrderView order)
    {
        var d = order.Destination;
        return new(order.OrderId, order.Status.ToString().ToLowerInvariant(), order.Rate.Carrier, order.Rate.Service, order.TrackingNumber,
            order.TrackingUrl, order.Rate.Amount, Usd, new OrderDestination(d.Name, d.Line1, d.Line2, d.City, d.State, d.PostalCode, d.Country),
            order.Items.Select(i => new OrderItem(i.ItemId, i.Name, i.Image, i.BackImage)).ToList(), order.CreatedAt.UtcDateTime,
            order.ShippedAt?.UtcDateTime, order.DeliveredAt?.UtcDateTime, order.ErrorMessage);
    }
}
