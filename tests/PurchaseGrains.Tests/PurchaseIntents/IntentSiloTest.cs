using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.PurchaseIntents;

/// <summary>A fresh SQLite silo per test with the listing/intent helpers; <see cref="Settings"/> to tune durations.</summary>
public abstract class IntentSiloTest : IAsyncLifetime
{
    protected TestSilo Silo { get; private set; } = null!;
    protected IntentApi Api { get; private set; } = null!;

    protected virtual Dictionary<string, string?> Settings() => IntentApi.Settings();

    public async Task InitializeAsync()
    {
        Silo = await TestSilo.StartSqliteAsync(settings: Settings());
        Api = new IntentApi(Silo);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Silo.DisposeAsync();
    }
}
