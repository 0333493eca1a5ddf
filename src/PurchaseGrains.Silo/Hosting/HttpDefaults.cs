using Microsoft.AspNetCore.Http.Json;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Hosting;

public static class HttpDefaults
{
    /// <summary>Bodies above this are refused with 400 (routes that need more raise it with metadata).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>
    /// Long enough for ids and query values of 100k characters to reach the API (and get its 400/404 in the
    /// envelope) instead of Kestrel's bodiless 414 at its 8 KiB default.
    /// </summary>
    public const int MaxRequestLineBytes = 256 * 1024;

    public static WebApplicationBuilder AddHttpDefaults(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes;
        });
        builder.Services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddApiDocument();
        return builder;
    }

    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Idempotency.IdempotencySettlement>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Idempotency.IdempotencySettlement>());
        return builder;
    }

    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration("Auth");
        return builder;
    }
}
