using System.Diagnostics;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// OpenTelemetry through its hosting package: traces of Orleans grain calls (<c>Microsoft.Orleans.*</c>, with the
/// silo's activity propagation), ASP.NET Core, HttpClient, Npgsql and our own <c>PurchaseGrains</c> source; meters of
/// the same. OTLP export only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Without it nothing is instrumented:
/// spans and measurements that could not leave the process would only cost CPU on every call and statement.
/// </summary>
public static class TelemetryRegistration
{
    public static readonly string[] ActivitySources = [GrainDiagnostics.Name, "Microsoft.Orleans.*"];
    public static readonly string[] Meters = [GrainDiagnostics.Name, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "System.Net.Http", "Npgsql"];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = OtlpSettings.From(builder.Configuration);
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                if (otlp is null)
                    return;
                tracing.AddSource(ActivitySources)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddOtlpExporter(o => otlp.Apply(o, "traces"));
            })
            .WithMetrics(metrics =>
            {
                if (otlp is not null)
                    metrics.AddMeter(Meters).AddOtlpExporter(o => otlp.Apply(o, "metrics"));
            });
        builder.Services.ConfigureOpenTelemetryTracerProvider((services, tracing) => tracing.SetResourceBuilder(Resource(services)));
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) => metrics.SetResourceBuilder(Resource(services)));
        return builder;
    }

    /// <summary>Names the ASP.NET Core request span after its route template, as the instrumentation does for spans it exports.</summary>
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

    /// <summary>The service instance is the silo: its address and generation, unique across restarts.</summary>
    private static ResourceBuilder Resource(IServiceProvider services) => ResourceBuilder.CreateDefault()
        .AddService("PurchaseGrains", serviceInstanceId: services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString());

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
}
