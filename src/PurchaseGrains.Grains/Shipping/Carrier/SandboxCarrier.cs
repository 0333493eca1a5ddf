using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Grains.Shipping.Carrier;

/// <summary>
/// The default carrier: rates computed from the item count and whether the destination is domestic (US); each
/// shipment a <see cref="ISandboxShipmentGrain"/> that reports the statuses on the <c>Shipping:Sandbox:*</c> delays.
/// </summary>
public sealed class SandboxCarrier(IGrainFactory grains) : ICarrierProvider
{
    public const string CarrierName = "sandbox";
    private const string ShipmentPrefix = "shp_sandbox_";

    public Task<IReadOnlyList<ShippingRate>> RatesAsync(RateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(SandboxRates.For(request.ItemCount, request.Destination.Country));

    public async Task<string> CreateShipmentAsync(ShipmentRequest request, CancellationToken cancellationToken)
    {
        await grains.GetGrain<ISandboxShipmentGrain>(request.OrderId).Create(request.Destination.PostalCode);
        return ShipmentPrefix + request.OrderId;
    }

    public async Task<CarrierReport> GetShipmentAsync(string shipmentId, CancellationToken cancellationToken)
    {
        if (!shipmentId.StartsWith(ShipmentPrefix, StringComparison.Ordinal))
            throw new CarrierUnavailableException($"No sandbox shipment {shipmentId}.");
        return await grains.GetGrain<ISandboxShipmentGrain>(shipmentId[ShipmentPrefix.Length..]).Report()
            ?? throw new CarrierUnavailableException($"No sandbox shipment {shipmentId}.");
    }
}

public static class SandboxRates
{
    /// <summary>Standard and insured express; international costs three times as much and takes longer.</summary>
    public static IReadOnlyList<ShippingRate> For(int itemCount, string country)
    {
        var domestic = country == "US";
        var factor = domestic ? 1m : 3m;
        var extra = Math.Max(0, itemCount - 1);
        return
        [
            new(SandboxCarrier.CarrierName, "standard", (4.99m + extra * 1.00m) * factor, domestic ? 3 : 7, domestic ? 7 : 21, false),
            new(SandboxCarrier.CarrierName, "express", (14.99m + extra * 2.00m) * factor, domestic ? 1 : 3, domestic ? 2 : 5, true),
        ];
    }
}

/// <summary>One sandbox shipment (key: order id): remembers when it was created; its status follows from the clock.</summary>
[Alias("ship.ISandboxShipmentGrain")]
public interface ISandboxShipmentGrain : IGrainWithStringKey
{
    /// <summary>Idempotent: a repeated creation keeps the first one's time.</summary>
    Task Create(string postalCode);

    /// <summary>Null when never created.</summary>
    [Orleans.Concurrency.ReadOnly]
    Task<CarrierReport?> Report();
}

public sealed class SandboxShipmentState
{
    public DateTimeOffset CreatedAt { get; set; }
    public bool Fails { get; set; }
}

[GrainType("ship_sandbox_shipment")]
public sealed class SandboxShipmentGrain(
    [PersistentState("shipment", GrainStores.Main)] IPersistentState<SandboxShipmentState> state,
    IOptions<ShippingOptions> options,
    TimeProvider time) : Grain, ISandboxShipmentGrain
{
    public const string UndeliverableMessage = "Address undeliverable (sandbox)";

    public async Task Create(string postalCode)
    {
        if (state.RecordExists)
            return;
        state.State = new SandboxShipmentState { CreatedAt = time.GetUtcNow(), Fails = postalCode == options.Value.Sandbox.FailPostalCode };
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<CarrierReport?> Report() => Task.FromResult(state.RecordExists
        ? SandboxTimeline.At(state.State, options.Value.Sandbox, time.GetUtcNow(), this.GetPrimaryKeyString())
        : null);
}

/// <summary>The sandbox's statuses as a function of the time since creation.</summary>
public static class SandboxTimeline
{
    public static CarrierReport At(SandboxShipmentState shipment, SandboxCarrierOptions delays, DateTimeOffset now, string orderId)
    {
        var elapsed = now - shipment.CreatedAt;
        if (elapsed < delays.ProcessingAfter)
            return new CarrierReport(CarrierStatus.Pending, null, null, null);
        if (elapsed < delays.ShippedAfter)
            return new CarrierReport(CarrierStatus.Processing, null, null, null);
        if (shipment.Fails)
            return new CarrierReport(CarrierStatus.Error, null, null, SandboxShipmentGrain.UndeliverableMessage);
        var tracking = TrackingNumber(orderId);
        return new CarrierReport(elapsed < delays.DeliveredAfter ? CarrierStatus.Shipped : CarrierStatus.Delivered, tracking,
            $"https://sandbox-carrier.invalid/track/{tracking}", null);
    }

    /// <summary><c>SBX</c> and 12 hex digits derived from the order id: stable across polls and silos.</summary>
    public static string TrackingNumber(string orderId) =>
        "SBX" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(orderId)), 0, 6);
}
