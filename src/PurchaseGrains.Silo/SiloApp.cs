using Microsoft.AspNetCore.Diagnostics;
using PurchaseGrains.Silo.Endpoints;
using PurchaseGrains.Silo.Endpoints.PurchaseIntents;
using PurchaseGrains.Silo.Endpoints.Shipping;
using PurchaseGrains.Silo.Endpoints.VendingMachine;
using PurchaseGrains.Silo.Hosting;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;
using PurchaseGrains.Silo.Idempotency;

namespace PurchaseGrains.Silo;

/// <summary>Builds one silo: the HTTP gateway and the Orleans silo on the configured storage.</summary>
public static class SiloApp
{
    /// <param name="configure">Configuration and services added before the silo's own (tests, embedding hosts).</param>
    /// <param name="mapRoutes">Extra routes, mapped after the built-in ones.</param>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? mapRoutes = null)
    {
        // No configuration reload: nothing here reads options as they change, and the file watcher it needs watches
        // the whole content root, where the embedded store writes (about 1% of the CPU under load, in the benchmarks).
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        // First, so that what it configures is what the registrations below read.
        configure?.Invoke(builder);
        builder.AddHttpDefaults();
        builder.AddApiKeys();
        builder.AddIdempotency();
        builder.AddStorage();
        builder.AddTelemetry();
        builder.AddOrleansSilo();
        builder.AddKubernetesHosting();
        builder.AddOperatorDashboard();
        builder.AddVendingMachine();
        builder.AddPurchaseIntents();
        builder.AddShipping();

        var app = builder.Build();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseStatusCodePages(EmptyStatusToEnvelope);
        app.UseMiddleware<QueryTextMiddleware>();
        app.UseRouting();
        app.UseRouteSpanNames();
        app.UseMiddleware<ApiKeyMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();

        var routes = app.MapGroup("").WithPipelineAnswers().RetryGrainHandovers();
        routes.MapHealth();
        routes.MapVendingMachine();
        routes.MapPurchaseIntents();
        routes.MapShipping();
        app.MapOpenApi();
        app.MapOperatorDashboard();
        mapRoutes?.Invoke(app);
        return app;
    }

    private static Task EmptyStatusToEnvelope(StatusCodeContext context) => context.HttpContext.Response.StatusCode switch
    {
        404 => ApiErrors.WriteAsync(context.HttpContext, 404, "Not found"),
        405 => ApiErrors.WriteAsync(context.HttpContext, 405, "Method not allowed"),
        // The contract answers oversized bodies with 400, like any other bad input.
        413 => ApiErrors.WriteAsync(context.HttpContext, 400, "Request body too large"),
        415 => ApiErrors.WriteAsync(context.HttpContext, 415, ApiErrors.JsonContentTypeRequired),
        var status => ApiErrors.WriteAsync(context.HttpContext, status, "Request failed"),
    };
}
