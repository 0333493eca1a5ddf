using Orleans;
using PurchaseGrains.Grains.Shipping.Carrier;

namespace PurchaseGrains.Grains.Shipping;

[GenerateSerializer, Immutable, Alias("ship.QuoteCommand")]
public sealed record QuoteCommand(
    [property: Id(0)] string Partner,
    [property: Id(1)] IReadOnlyList<string> ItemIds,
    [property: Id(2)] ShippingDestination Destination);

[GenerateSerializer, Alias("ship.QuoteRefusal")]
public enum QuoteRefusal { None, ItemNotFound, ItemsOfSeveralUsers, CarrierUnavailable }

[GenerateSerializer, Immutable, Alias("ship.QuoteView")]
public sealed record QuoteView(
    [property: Id(0)] string SessionId,
    [property: Id(1)] DateTimeOffset ExpiresAt,
    [property: Id(2)] IReadOnlyList<ShippingRate> Rates);

[GenerateSerializer, Immutable, Alias("ship.QuoteResult")]
public sealed record QuoteResult([property: Id(0)] QuoteRefusal Refusal, [property: Id(1)] QuoteView? Quote = null);

[GenerateSerializer, Alias("ship.OrderRefusal")]
public enum OrderRefusal { None, QuoteNotFound, QuoteExpired, ItemNotFound }

[GenerateSerializer, Immutable, Alias("ship.OrderRequestResult")]
public sealed record OrderRequestResult([property: Id(0)] OrderRefusal Refusal, [property: Id(1)] string? OrderId = null);

/// <summary>
/// A quote session: the items (all of one user), where they go, the carrier's rates, until <see cref="ExpiresAt"/>.
/// <see cref="OrderId"/> is chosen before the order is placed, so a repeated request places that same order;
/// <see cref="OrderPlaced"/> says the order answered that it holds the items.
/// </summary>
public sealed class ShippingQuoteState
{
    public string Partner { get; set; } = "";
    public string UserId { get; set; } = "";
    public List<ShippingItem> Items { get; set; } = [];
    public ShippingDestination Destination { get; set; } = null!;
    public List<ShippingRate> Rates { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public string? OrderId { get; set; }
    public string? OrderedService { get; set; }
    public bool OrderPlaced { get; set; }
}

/// <summary>What a request for one of a session's quotes gets, before any order is placed.</summary>
public static class QuoteRules
{
    public enum Next { Refuse, AnswerOrder, PlaceOrder }

    public static (Next Next, OrderRefusal Refusal) Decide(ShippingQuoteState? quote, string partner, string service, DateTimeOffset now)
    {
        if (quote is null || quote.Partner != partner || quote.Rates.All(r => r.Service != service))
            return (Next.Refuse, OrderRefusal.QuoteNotFound);
        if (quote.OrderId is not null)
        {
            // One order per session: the same quote id again is that order (once placed); another of its rates finds
            // the items taken by it.
            if (quote.OrderedService != service)
                return (Next.Refuse, OrderRefusal.ItemNotFound);
            return (quote.OrderPlaced ? Next.AnswerOrder : Next.PlaceOrder, OrderRefusal.None);
        }
        return now >= quote.ExpiresAt ? (Next.Refuse, OrderRefusal.QuoteExpired) : (Next.PlaceOrder, OrderRefusal.None);
    }

    public static void OrderChosen(ShippingQuoteState quote, string orderId, string service)
    {
        quote.OrderId = orderId;
        quote.OrderedService = service;
        quote.OrderPlaced = false;
    }

    /// <summary>The order could not lock the items: the session is free again, and refuses until items free up.</summary>
    public static void OrderRefused(ShippingQuoteState quote)
    {
        quote.OrderId = null;
        quote.OrderedService = null;
        quote.OrderPlaced = false;
    }
}
