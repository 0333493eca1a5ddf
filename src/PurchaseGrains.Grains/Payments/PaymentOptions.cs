namespace PurchaseGrains.Grains.Payments;

public enum PaymentProviderKind { Sandbox }

/// <summary>Configuration section <c>Payments</c>.</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary><c>Payments:Provider</c>: only <c>Sandbox</c> (PaymentIntents kept by this service) exists today.</summary>
    public PaymentProviderKind Provider { get; set; } = PaymentProviderKind.Sandbox;

    public StripeOptions Stripe { get; set; } = new();
}

public sealed class StripeOptions
{
    /// <summary><c>Payments:Stripe:WebhookSecret</c>: the <c>whsec_…</c> that signs webhooks (Development: <c>whsec_dev</c>).</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Signatures older (or newer) than this are refused.</summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public string AccountId { get; set; } = "acct_sandbox";

    public string PublishableKey { get; set; } = "pk_test_sandbox";
}
