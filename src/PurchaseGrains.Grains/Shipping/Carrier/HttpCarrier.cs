using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Grains.Shipping.Carrier;

/// <summary>
/// An external carrier service at <c>Shipping:BaseUrl</c>: <c>POST /rates</c>; <c>POST /shipments</c> with
/// <c>Idempotency-Key: order_id</c> answers <c>202 {shipment_id}</c>; <c>GET /shipments/{id}</c> answers its status.
/// Anything but a clear answer (down, timeout, non-2xx) is <see cref="CarrierUnavailableException"/>: retried, never an error.
/// </summary>
public sealed class HttpCarrier(IHttpClientFactory clients, IOptions<ShippingOptions> options) : ICarrierProvider
{
    public const string ClientName = "carrier";

    public async Task<IReadOnlyList<ShippingRate>> RatesAsync(RateRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Url("rates"))
        {
            Content = JsonContent.Create(new RatesBody(request.ItemCount, Wire(request.Destination)), options: OutboundJson.Options),
        };
        var answer = await SendAsync<RatesAnswer>(message, cancellationToken);
        if (answer.Rates is not { Count: > 0 } rates || rates.Any(r => string.IsNullOrEmpty(r.Carrier) || !ShippingIds.IsServiceName(r.Service)))
            throw new CarrierUnavailableException("The carrier answered no usable rates.");
        return rates.Select(r => new ShippingRate(r.Carrier!, r.Service!, r.Amount, r.EstimatedDaysMin, r.EstimatedDaysMax, r.Insured)).ToList();
    }

    public async Task<string> CreateShipmentAsync(ShipmentRequest request, CancellationToken cancellationToken)
    {
        var body = new ShipmentBody(request.OrderId, request.Partner, request.Rate.Carrier, request.Rate.Service, Wire(request.Destination),
            request.Items.Select(i => new ShipmentItem(i.ItemId, i.Name)).ToList());
        using var message = new HttpRequestMessage(HttpMethod.Post, Url("shipments")) { Content = JsonContent.Create(body, options: OutboundJson.Options) };
        message.Headers.Add("Idempotency-Key", request.OrderId);
        var answer = await SendAsync<ShipmentAccepted>(message, cancellationToken);
        return string.IsNullOrEmpty(answer.ShipmentId)
            ? throw new CarrierUnavailableException("The carrier answered without a shipment_id.")
            : answer.ShipmentId;
    }

    public async Task<CarrierReport> GetShipmentAsync(string shipmentId, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, Url($"shipments/{Uri.EscapeDataString(shipmentId)}"));
        var answer = await SendAsync<ShipmentAnswer>(message, cancellationToken);
        var status = answer.Status switch
        {
            "pending" => CarrierStatus.Pending,
            "processing" => CarrierStatus.Processing,
            "shipped" => CarrierStatus.Shipped,
            "delivered" => CarrierStatus.Delivered,
            "error" => CarrierStatus.Error,
            _ => throw new CarrierUnavailableException($"The carrier answered an unknown status '{answer.Status}'."),
        };
        return new CarrierReport(status, answer.TrackingNumber, answer.TrackingUrl, answer.ErrorMessage);
    }

    private Uri Url(string relative) => OutboundJson.Url(options.Value.BaseUrl, "Shipping:BaseUrl", relative);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var client = clients.CreateClient(ClientName);
        return await OutboundJson.SendAsync<T>(client, request, options.Value.RequestTimeout, "carrier",
            (message, inner) => new CarrierUnavailableException(message, inner), cancellationToken);
    }

    private static WireDestination Wire(ShippingDestination d) =>
        new(d.Name, d.Line1, d.Line2, d.City, d.State, d.PostalCode, d.Country, d.Phone, d.Email);

    private sealed record WireDestination(string Name, string Line1, string? Line2, string City, string? State, string PostalCode,
        string Country, string? Phone, string? Email);

    private sealed record RatesBody(int ItemCount, WireDestination Destination);

    private sealed record RateAnswer(string? Carrier, string? Service, decimal Amount, int EstimatedDaysMin, int EstimatedDaysMax, bool Insured);

    private sealed record RatesAnswer(List<RateAnswer>? Rates);

    private sealed record ShipmentItem(string ItemId, string Name);

    private sealed record ShipmentBody(string OrderId, string Partner, string Carrier, string Service, WireDestination Destination,
        IReadOnlyList<ShipmentItem> Items);

    private sealed record ShipmentAccepted(string? ShipmentId);

    private sealed record ShipmentAnswer(string? Status, string? TrackingNumber, string? TrackingUrl, string? ErrorMessage);
}
