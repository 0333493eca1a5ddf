namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>Options under <c>Vm:</c>.</summary>
public sealed class VmOptions
{
    /// <summary>How long <c>buy/status</c> holds a request open before answering <c>{"status":"pending"}</c>.</summary>
    public TimeSpan StatusPollWindow { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How long after purchase an item can be sold back.</summary>
    public TimeSpan BuybackWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long an interrupted purchase or buyback waits before its recovery reminder finishes it
    /// (a request that is still running normally finishes it first).
    /// </summary>
    public TimeSpan RecoveryDelay { get; set; } = TimeSpan.FromSeconds(30);
}

public enum FulfillmentProviderKind { Sandbox, Http }

/// <summary>Options under <c>Fulfillment:</c>.</summary>
public sealed class FulfillmentOptions
{
    public FulfillmentProviderKind Provider { get; set; } = FulfillmentProviderKind.Sandbox;

    /// <summary>Base address of the external mint service (Http provider).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>How often a session asks the mint service about its mint.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A session not fulfilled this long after it started fails and releases its cards.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Timeout of one call to the mint service.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
