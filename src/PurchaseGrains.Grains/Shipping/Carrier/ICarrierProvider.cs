using Orleans;

namespace PurchaseGrains.Grains.Shipping.Carrier;

/// <summary>One way to ship: <see cref="Service"/> names it within a quote (<c>&lt;session_id&gt;_rate_&lt;service&gt;</c>).</summary>
[GenerateSerializer, Immutable, Alias("ship.Rate")]
public sealed record ShippingRate(
    [property: Id(0)] string Carrier,
    [property: Id(1)] string Service,
    [property: Id(2)] decimal Amount,
    [property: Id(3)] int EstimatedDaysMin,
    [property: Id(4)] int EstimatedDaysMax,
    [property: Id(5)] bool Insured);

/// <summary>An item as an order carries it: what the carrier and the order's reader see of it.</summary>
[GenerateSerializer, Immutable, Alias("ship.Item")]
public sealed record ShippingItem(
    [property: Id(0)] string ItemId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Image,
    [property: Id(3)] string? BackImage);

public sealed record RateRequest(int ItemCount, ShippingDestination Destination);

/// <summary>One shipment; <see cref="OrderId"/> is its idempotency key, the same on every retry.</summary>
public sealed record ShipmentRequest(string OrderId, string Partner, ShippingRate Rate, ShippingDestination Destination,
    IReadOnlyList<ShippingItem> Items);

[GenerateSerializer, Alias("ship.CarrierStatus")]
public enum CarrierStatus { Pending, Processing, Shipped, Delivered, Error }

/// <summary>What the carrier says of a shipment now.</summary>
[GenerateSerializer, Immutable, Alias("ship.CarrierReport")]
public sealed record CarrierReport(
    [property: Id(0)] CarrierStatus Status,
    [property: Id(1)] string? TrackingNumber,
    [property: Id(2)] string? TrackingUrl,
    [property: Id(3)] string? ErrorMessage);

/// <summary>The carrier could not be asked (down, timed out, 5xx, an answer it should not give): try again later.</summary>
public sealed class CarrierUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Rates and shipments (configured by <c>Shipping:Provider</c>).</summary>
public interface ICarrierProvider
{
    Task<IReadOnlyList<ShippingRate>> RatesAsync(RateRequest request, CancellationToken cancellationToken);

    /// <summary>Creates the shipment, or finds the one already created for its order id; answers its shipment id.</summary>
    Task<string> CreateShipmentAsync(ShipmentRequest request, CancellationToken cancellationToken);

    Task<CarrierReport> GetShipmentAsync(string shipmentId, CancellationToken cancellationToken);
}
