using System.Collections.Concurrent;
using PurchaseGrains.Grains.Shipping.Carrier;

namespace PurchaseGrains.Tests.Cluster;

/// <summary>
/// A carrier shared by every silo of a test cluster: one shipment per order id (as the real one keys them), held in
/// processing until the test releases them all; then shipments to <see cref="FailingPostalCode"/> end in error and the
/// others are delivered. It records every creation call it received.
/// </summary>
public sealed class HeldShipments : ICarrierProvider
{
    public const string FailingPostalCode = "00000";
    public const string Service = "held";

    private readonly ConcurrentDictionary<string, ShipmentRequest> _shipments = new();
    private readonly ConcurrentDictionary<string, int> _creationCalls = new();
    private volatile bool _released;

    public int ShipmentsFor(string orderId) => _shipments.ContainsKey(orderId) ? 1 : 0;

    public int CreationCallsFor(string orderId) => _creationCalls.GetValueOrDefault(orderId);

    public int ShipmentCount => _shipments.Count;

    public void ReleaseAll() => _released = true;

    public Task<IReadOnlyList<ShippingRate>> RatesAsync(RateRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ShippingRate>>([new ShippingRate("held-carrier", Service, 3m, 1, 2, false)]);

    public Task<string> CreateShipmentAsync(ShipmentRequest request, CancellationToken cancellationToken)
    {
        _creationCalls.AddOrUpdate(request.OrderId, 1, (_, n) => n + 1);
        _shipments.TryAdd(request.OrderId, request);
        return Task.FromResult(request.OrderId);
    }

    public Task<CarrierReport> GetShipmentAsync(string shipmentId, CancellationToken cancellationToken)
    {
        var shipment = _shipments[shipmentId];
        var status = !_released ? CarrierStatus.Processing
            : shipment.Destination.PostalCode == FailingPostalCode ? CarrierStatus.Error : CarrierStatus.Delivered;
        return Task.FromResult(new CarrierReport(status, status == CarrierStatus.Delivered ? $"HELD-{shipmentId}" : null, null,
            status == CarrierStatus.Error ? "Held shipment failed" : null));
    }
}
