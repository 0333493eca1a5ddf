namespace PurchaseGrains.Grains.Shipping;

public enum CarrierProviderKind { Sandbox, Http }

/// <summary>Options under <c>Shipping:</c>.</summary>
public sealed class ShippingOptions
{
    public CarrierProviderKind Provider { get; set; } = CarrierProviderKind.Sandbox;

    /// <summary>Base address of the external carrier service (Http provider).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>How long a quote can be turned into an order.</summary>
    public TimeSpan QuoteTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often an active order asks the carrier about its shipment.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>When an order's backstop reminder first fires; it reactivates an order whose silo died.</summary>
    public TimeSpan RecoveryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one call to the carrier service.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public SandboxCarrierOptions Sandbox { get; set; } = new();
}

/// <summary>
/// Options under <c>Shipping:Sandbox:</c>: when, after the shipment is created, the sandbox carrier reports each
/// status. A shipment to <see cref="FailPostalCode"/> ends in <c>error</c> instead of shipping.
/// </summary>
public sealed class SandboxCarrierOptions
{
    public TimeSpan ProcessingAfter { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ShippedAfter { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan DeliveredAfter { get; set; } = TimeSpan.FromMinutes(5);
    public string FailPostalCode { get; set; } = "00000";

    public bool IsOrdered => TimeSpan.Zero <= ProcessingAfter && ProcessingAfter <= ShippedAfter && ShippedAfter <= DeliveredAfter;
}
