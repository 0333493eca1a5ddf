using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Shipping;

/// <summary>The silos of one shipping test (one on SQLite, several on one PostgreSQL database); <c>Api(i)</c> cycles through them.</summary>
public sealed class ShipSilos(IReadOnlyList<TestSilo> silos) : IAsyncDisposable
{
    private readonly ShipApi[] _apis = silos.Select(s => new ShipApi(s)).ToArray();

    public IReadOnlyList<TestSilo> Silos => silos;

    public ShipApi Api(int i = 0) => _apis[i % _apis.Length];

    public int Count => _apis.Length;

    /// <summary>Settings of every shipping test: orders polled often; sandbox statuses far away unless a test brings them closer.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Shipping:PollInterval"] = "00:00:00.100",
            ["Shipping:RecoveryDelay"] = "00:00:01",
            ["Shipping:Sandbox:ProcessingAfter"] = "01:00:00",
            ["Shipping:Sandbox:ShippedAfter"] = "02:00:00",
            ["Shipping:Sandbox:DeliveredAfter"] = "03:00:00",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            settings[key] = value;
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in silos)
            await silo.DisposeAsync();
    }
}
