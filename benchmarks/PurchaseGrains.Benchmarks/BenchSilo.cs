using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Silo;

namespace PurchaseGrains.Benchmarks;

/// <summary>A started silo; disposing it stops it gracefully first, so it leaves the cluster as a real one would.</summary>
public sealed class RunningSilo(WebApplication app) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public IServiceProvider Services => App.Services;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>One silo on PostgreSQL in this process; several on one database form a cluster.</summary>
public static class BenchSilo
{
    public static async Task<RunningSilo> StartAsync(string connectionString, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var app = SiloApp.Create(["--environment", "Benchmark"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Postgres",
                ["ConnectionStrings:Postgres"] = connectionString,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Orleans:SiloPort"] = FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
                ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
            });
            if (settings is not null)
                builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new RunningSilo(app);
    }

    public static Orleans.IGrainFactory Grains(this RunningSilo silo) => silo.Services.GetRequiredService<Orleans.IGrainFactory>();

    public static Orleans.IGrainFactory Grains(this WebApplication app) => app.Services.GetRequiredService<Orleans.IGrainFactory>();

    public static Uri BaseAddress(this RunningSilo silo) =>
        new(silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
