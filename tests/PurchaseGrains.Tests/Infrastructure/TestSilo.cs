using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using PurchaseGrains.Silo;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// One real silo in this process: its own host and DI container, Kestrel on a loopback port, real storage.
/// Several on one PostgreSQL database make a cluster.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private TestSilo(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public Orleans.IGrainFactory Grains => Services.GetRequiredService<Orleans.IGrainFactory>();

    /// <summary>A silo on a fresh SQLite file (or <paramref name="sqlitePath"/>, to restart on the same data).</summary>
    public static Task<TestSilo> StartSqliteAsync(string? sqlitePath = null, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? mapRoutes = null)
    {
        sqlitePath ??= Path.Combine(Path.GetTempPath(), $"pg-test-{Guid.NewGuid():N}.db");
        return StartAsync(Merge(settings, new()
        {
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={sqlitePath}",
        }), configure, mapRoutes);
    }

    public static Task<TestSilo> StartPostgresAsync(string connectionString, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? mapRoutes = null) =>
        StartAsync(Merge(settings, new()
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
        }), configure, mapRoutes);

    public static async Task<TestSilo> StartAsync(IDictionary<string, string?> settings,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? mapRoutes = null)
    {
        var app = SiloApp.Create(["--environment", "Testing"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(TestKeys.AsConfiguration());
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                // Each silo of a test process listens on its own port; several form one cluster on one PostgreSQL.
                ["Orleans:SiloPort"] = LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
                // Reminders are the durable backstop of timers: short periods, so a test sees a takeover in seconds.
                ["Reminders:MinimumPeriod"] = "00:00:01",
                ["Reminders:BackstopPeriod"] = "00:00:01",
            });
            builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        }, mapRoutes);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestSilo(app, new Uri(address));
    }

    public HttpClient CreateClient(string? apiKey = TestKeys.PartnerA)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>Graceful stop: running calls finish and the silo leaves the cluster, handing its grains over.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// As close to kill -9 as one process allows: the silo stops without a graceful shutdown (activations are not
    /// handed over, the cluster is not told), leases are kept and nothing more is written.
    /// </summary>
    public async Task KillAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        using var abrupt = new CancellationTokenSource();
        await abrupt.CancelAsync();
        try { await _app.StopAsync(abrupt.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static Dictionary<string, string?> Merge(IDictionary<string, string?>? overrides, Dictionary<string, string?> defaults)
    {
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            defaults[key] = value;
        return defaults;
    }
}
