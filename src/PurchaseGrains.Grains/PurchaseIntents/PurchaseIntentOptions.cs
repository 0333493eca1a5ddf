namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>Configuration section <c>PurchaseIntents</c>.</summary>
public sealed class PurchaseIntentOptions
{
    public const string Section = "PurchaseIntents";

    /// <summary>How often a PENDING card intent asks the payment provider (webhooks get lost).</summary>
    public TimeSpan PaymentPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Failed payment attempts a PENDING intent absorbs before it becomes UNRESOLVED and releases its hold.</summary>
    public int PaymentFailureBudget { get; set; } = 3;

    /// <summary>Failed fulfilment attempts before fulfillment_status becomes EXCEPTION.</summary>
    public int FulfillmentMaxAttempts { get; set; } = 5;

    public TimeSpan FulfillmentRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Intents a silo expires at once when many fall due together; the rest wait their turn (<see cref="ExpiryGate"/>).</summary>
    public int ExpiriesAtOnce { get; set; } = 2048;
}
