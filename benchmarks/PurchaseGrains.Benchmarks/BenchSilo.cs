using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Silo;

namespace PurchaseGrains.Benchmarks;

/// <summary>One silo on PostgreSQL in this process, with the benchmark grains registered.</summary>
public static class BenchSilo
{
    public static async Task<WebApplication> StartAsync(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var app = SiloApp.Create(["--environment", "Benchmark"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Postgres",
                ["ConnectionStrings:Postgres"] = connectionString,
                ["Logging:LogLevel:Default"] = "Warning",
            });
            if (settings is not null)
                builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddGrain<IBenchCounterGrain, BenchCounterGrain>("bench-counter");
            builder.Services.AddGrain<ILatenessProbeGrain, LatenessProbeGrain>("bench-lateness");
        });
        await app.StartAsync();
        return app;
    }

    public static IGrainFactory Grains(this WebApplication app) => app.Services.GetRequiredService<IGrainFactory>();
}
