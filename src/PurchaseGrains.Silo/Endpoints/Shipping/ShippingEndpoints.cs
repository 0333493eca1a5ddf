using Microsoft.AspNetCore.Http.HttpResults;
using Orleans;
using PurchaseGrains.Grains.Shipping;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.Shipping;

/// <summary>Shipping (Phygitals partner API v1): quotes for pulled cards, orders from a quote, order tracking.</summary>
public static class ShippingEndpoints
{
    public const int MaxItemsPerOrder = 50;
    public const int MaxItemIdLength = 200;

    public static RouteGroupBuilder MapShippingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/ship").RequireApiKey().WithTags(Tags.Shipping);
        group.MapPost("/quote", Quote).WithName("ShipQuote").WithSummary("Quote shipping a user's items to an address")
            .ProducesErrors(StatusCodes.Status400BadRequest);
        group.MapPost("/request", Request).WithName("ShipRequest").WithSummary("Order the shipment of a quote")
            .ProducesErrors(StatusCodes.Status400BadRequest);
        group.MapGet("/order/{orderId}", Order).WithName("GetShippingOrder").WithSummary("A shipping order and its status")
            .ProducesErrors(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<ShipQuoteResponse>, JsonHttpResult<ApiError>>> Quote(ShipQuoteRequest request, Caller caller,
        IGrainFactory grains)
    {
        if (request.ItemIds is not { Count: > 0 })
            return ApiErrors.Status(400, "item_ids is required");
        var itemIds = request.ItemIds.Distinct(StringComparer.Ordinal).ToList();
        if (itemIds.Count > MaxItemsPerOrder)
            return ApiErrors.Status(400, $"At most {MaxItemsPerOrder} items can ship in one order");
        var d = request.Destination;
        if (d is null || DestinationRules.Validate(d.Name, d.Line1, d.Line2, d.City, d.State, d.PostalCode, d.Country, d.Phone, d.Email)
            is not { } destination)
            return ApiErrors.Status(400, "Invalid destination");
        if (itemIds.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > MaxItemIdLength))
            return ItemNotFound();

        var result = await grains.GetGrain<IShippingQuoteGrain>(ShippingIds.NewQuoteSession())
            .Create(new QuoteCommand(caller.Partner, itemIds!, destination));
        return result.Refusal switch
        {
            QuoteRefusal.None => TypedResults.Ok(ShipQuoteResponse.From(result.Quote!)),
            QuoteRefusal.ItemsOfSeveralUsers => ApiErrors.Status(400, "Items must belong to one user"),
            QuoteRefusal.CarrierUnavailable => ApiErrors.Status(503, "The carrier is unavailable; retry shortly"),
            _ => ItemNotFound(),
        };
    }

    private static async Task<Results<Ok<ShipRequestResponse>, JsonHttpResult<ApiError>>> Request(ShipRequestRequest request, Caller caller,
        IGrainFactory grains)
    {
        if (!ShippingIds.TryParseQuoteId(request.QuoteId, out var sessionId, out var service))
            return ApiErrors.Status(400, "Quote not found");
        var result = await grains.GetGrain<IShippingQuoteGrain>(sessionId).RequestOrder(caller.Partner, service);
        return result.Refusal switch
        {
            OrderRefusal.None => TypedResults.Ok(ShipRequestResponse.Success(result.OrderId!)),
            OrderRefusal.QuoteExpired => ApiErrors.Status(400, "Quote has expired"),
            OrderRefusal.ItemNotFound => ItemNotFound(),
            _ => ApiErrors.Status(400, "Quote not found"),
        };
    }

    private static async Task<Results<Ok<ShipOrderResponse>, JsonHttpResult<ApiError>>> Order(string orderId, Caller caller, IGrainFactory grains)
    {
        var order = ShippingIds.IsOrderId(orderId) ? await grains.GetGrain<IShippingOrderGrain>(orderId).Get(caller.Partner) : null;
        return order is null ? ApiErrors.Status(404, "Order not found") : TypedResults.Ok(ShipOrderResponse.From(order));
    }

    private static JsonHttpResult<ApiError> ItemNotFound() => ApiErrors.Status(400, "Item not found");
}
