using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Runtime.Telemetry;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// OpenTelemetry without the hosting package: tracer and meter providers built here, owned by DI (so disposed,
/// and flushed, on shutdown). OTLP export only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Without it the providers
/// listen to nothing: spans and measurements that could not leave the process would only cost CPU, on every turn,
/// statement and request.
/// </summary>
public static class TelemetryRegistration
{
    public static readonly string[] ActivitySources = [GrainDiagnostics.Name, "Microsoft.AspNetCore", "System.Net.Http", "Npgsql"];
    public static readonly string[] Meters = [GrainDiagnostics.Name, "Microsoft.AspNetCore.Hosting", "System.Net.Http", "Npgsql"];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var otlp = OtlpSettings.From(sp.GetRequiredService<IConfiguration>());
            var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(Resource(sp));
            if (otlp is not null)
                tracing.AddSource(ActivitySources).AddOtlpExporter(o => otlp.Apply(o, "traces"));
            return tracing.Build();
        });
        builder.Services.AddSingleton(sp =>
        {
            var otlp = OtlpSettings.From(sp.GetRequiredService<IConfiguration>());
            var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(Resource(sp));
            if (otlp is not null)
                metrics.AddMeter(Meters).AddOtlpExporter(o => otlp.Apply(o, "metrics"));
            return metrics.Build();
        });
        builder.Services.AddHostedService<TelemetryStartup>();
        return builder;
    }

    /// <summary>Names the ASP.NET Core request span after its route template, as instrumentation packages would.</summary>
    public static IApplicationBuilder UseRouteSpanNames(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (Activity.Current is { } activity && context.GetEndpoint() is RouteEndpoint endpoint)
        {
            var route = endpoint.RoutePattern.RawText ?? "";
            activity.DisplayName = $"{context.Request.Method} {route}";
            activity.SetTag("http.route", route);
        }
        return next(context);
    });

    private static ResourceBuilder Resource(IServiceProvider sp) => ResourceBuilder.CreateDefault()
        .AddService("PurchaseGrains", serviceInstanceId: sp.GetRequiredService<IOptions<SiloOptions>>().Value.NodeId);

    private sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol, string? Headers)
    {
        public static OtlpSettings? From(IConfiguration configuration)
        {
            var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
            if (string.IsNullOrWhiteSpace(endpoint))
                return null;
            var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is "http/protobuf"
                ? OtlpExportProtocol.HttpProtobuf
                : OtlpExportProtocol.Grpc;
            return new OtlpSettings(new Uri(endpoint), protocol, configuration["OTEL_EXPORTER_OTLP_HEADERS"]);
        }

        public void Apply(OtlpExporterOptions options, string signal)
        {
            options.Protocol = Protocol;
            // Set in code, the endpoint is used as is; the spec appends /v1/<signal> for HTTP.
            options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(Endpoint, Endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal)
                : Endpoint;
            if (Headers is not null)
                options.Headers = Headers;
        }
    }

    /// <summary>Resolving the providers is what starts them listening.</summary>
    private sealed class TelemetryStartup(TracerProvider tracerProvider, MeterProvider meterProvider) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracerProvider);
            GC.KeepAlive(meterProvider);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracerProvider.ForceFlush(2000);
            meterProvider.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}
