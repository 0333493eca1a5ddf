using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

/// <summary>One silo and its <c>/openapi/v1.json</c>, shared by the document's tests.</summary>
public sealed class OpenApiHost : IAsyncLifetime
{
    public TestSilo Silo { get; private set; } = null!;
    public string DocumentText { get; private set; } = "";
    public JsonElement Document { get; private set; }

    public async Task InitializeAsync()
    {
        Silo = await TestSilo.StartSqliteAsync();
        using var anonymous = Silo.CreateClient(apiKey: null);
        DocumentText = await anonymous.GetStringAsync("/openapi/v1.json");
        Document = JsonDocument.Parse(DocumentText).RootElement.Clone();
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();

    public JsonElement Operation(string method, string path) =>
        Document.GetProperty("paths").GetProperty(path).GetProperty(method.ToLowerInvariant());

    /// <summary>Every route the silo serves, as the document names it: (GET, /v1/listings/{id}), its metadata.</summary>
    public IReadOnlyList<(string Method, string Path, EndpointMetadataCollection Metadata)> Routes() =>
        Silo.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetRequiredMetadata<IHttpMethodMetadata>().HttpMethods
                .Select(m => (m, Normalize(e.RoutePattern.RawText!), e.Metadata)))
            .Where(r => r.Item2 != "/openapi/{documentName}.json")
            .ToList();

    private static string Normalize(string pattern) => pattern.Length > 1 ? "/" + pattern.Trim('/') : pattern;
}

public sealed class OpenApiDocumentTests(OpenApiHost host) : IClassFixture<OpenApiHost>
{
    [RedoclyFact]
    public async Task TheDocumentPassesRedoclysLintWithTheRepositorysRules()
    {
        var path = Path.Combine(Path.GetTempPath(), $"purchasegrains-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, host.DocumentText);
        try
        {
            var (exitCode, output) = await Redocly.LintAsync(path);
            Assert.True(exitCode == 0, $"redocly lint failed ({exitCode}):\n{output}");
            Assert.Contains("valid", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EveryRouteIsInTheDocumentAndTheDocumentHasNoOther()
    {
        var served = host.Routes().Select(r => $"{r.Method} {r.Path}").Order().ToList();
        var documented = host.Document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}")).Order().ToList();

        Assert.Equal(served, documented);
        Assert.Equal(25, served.Count);
    }

    /// <summary>
    /// The answers each route can give, read from its handler and the middleware in front of it (docs/api.md): a status
    /// missing from the document, or one the document invents, fails this.
    /// </summary>
    [Theory]
    [InlineData("GET", "/health/live", "200 400")]
    [InlineData("GET", "/health/ready", "200 400 503")]
    [InlineData("GET", "/api/v1/vm/available", "200 400 401 503")]
    [InlineData("GET", "/api/v1/vm/recent-pulls", "200 400 401 503")]
    [InlineData("POST", "/api/v1/vm/buy/init", "200 400 401 409 415 422 500 503")]
    [InlineData("POST", "/api/v1/vm/buy/status", "200 400 401 409 415 422 503")]
    [InlineData("GET", "/api/v1/inventory/{userId}", "200 400 401 404 503")]
    [InlineData("POST", "/api/v1/vm/buyback", "200 400 401 409 415 422 429 503")]
    [InlineData("GET", "/api/v1/card/{itemId}", "200 400 401 404 503")]
    [InlineData("POST", "/api/v1/ship/quote", "200 400 401 409 415 422 503")]
    [InlineData("POST", "/api/v1/ship/request", "200 400 401 409 415 422 503")]
    [InlineData("GET", "/api/v1/ship/order/{orderId}", "200 400 401 404 503")]
    [InlineData("PUT", "/admin/v1/packs/{id}", "200 400 401 403 415 503")]
    [InlineData("POST", "/admin/v1/packs/{id}/cards", "200 400 401 403 404 409 415 422 503")]
    [InlineData("POST", "/v1/listings", "201 400 401 403 409 415 422 503")]
    [InlineData("GET", "/v1/listings", "200 400 401 503")]
    [InlineData("GET", "/v1/listings/{id}", "200 400 401 404 503")]
    [InlineData("PATCH", "/v1/listings/{id}", "200 400 401 403 404 415 503")]
    [InlineData("POST", "/v1/purchase-intents", "201 400 401 403 404 409 415 422 503")]
    [InlineData("GET", "/v1/purchase-intents", "200 400 401 503")]
    [InlineData("GET", "/v1/purchase-intents/{id}", "200 400 401 404 503")]
    [InlineData("DELETE", "/v1/purchase-intents/{id}", "204 400 401 404 409 503")]
    [InlineData("POST", "/v1/webhooks/stripe", "200 400 503")]
    [InlineData("POST", "/sandbox/v1/payment-intents/{id}/succeed", "200 400 401 403 404 409 422 503")]
    [InlineData("POST", "/sandbox/v1/payment-intents/{id}/fail", "200 400 401 403 404 409 422 503")]
    public void TheDocumentListsEveryStatusARouteCanAnswerAndErrorsUseTheEnvelope(string method, string path, string statuses)
    {
        var responses = host.Operation(method, path).GetProperty("responses");

        Assert.Equal(statuses, string.Join(' ', responses.EnumerateObject().Select(r => r.Name).Order()));
        foreach (var error in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
        {
            var expected = path == "/health/ready" && error.Name == "503" ? "ReadyStatus" : "ApiError";
            Assert.Equal($"#/components/schemas/{expected}", SchemaRef(error.Value));
        }
    }

    [Fact]
    public void EveryStatusARouteDeclaresOrItsResultUnionNamesIsInTheDocument()
    {
        foreach (var (method, path, metadata) in host.Routes())
        {
            var documented = host.Operation(method, path).GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
            foreach (var declared in metadata.OfType<IProducesResponseTypeMetadata>())
                Assert.True(documented.Contains(Status(declared.StatusCode)), $"{method} {path} declares {declared.StatusCode}, missing from the document");
            foreach (var status in UnionStatuses(metadata.OfType<MethodInfo>().First().ReturnType))
                Assert.True(documented.Contains(Status(status)), $"{method} {path} can answer {status}, missing from the document");
        }
    }

    [Fact]
    public void KeyedRoutesNeedTheApiKeySchemeAndTheOthersSayTheyNeedNone()
    {
        var scheme = host.Document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-API-Key", scheme.GetProperty("name").GetString());

        foreach (var (method, path, metadata) in host.Routes())
        {
            var security = host.Operation(method, path).GetProperty("security");
            var schemes = security.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).ToList();
            Assert.Equal(metadata.GetMetadata<ApiKeyRequirement>() is null ? [] : ["ApiKey", "PhosphorApiKey"], schemes);
        }
        Assert.Empty(host.Operation("POST", "/v1/webhooks/stripe").GetProperty("security").EnumerateArray());
        Assert.Equal(2, host.Operation("GET", "/v1/purchase-intents").GetProperty("security").GetArrayLength());
    }

    [Fact]
    public void TheListRoutesNameTheirQueryParametersAndTheValuesTheyAccept()
    {
        var parameters = QueryParameters("GET", "/v1/purchase-intents");

        Assert.Equal(["item_id", "collection_id", "listing_id", "status", "email", "eth_address", "fulfillment_status", "fulfillment_method",
            "payment_provider", "cursor", "limit", "order_direction"], parameters.Keys);
        Assert.Equal(["PENDING", "CONFIRMED", "EXPIRED", "CANCELLED", "UNRESOLVED"], Values(parameters["status"].GetProperty("schema")));
        var providers = parameters["payment_provider"].GetProperty("schema");
        Assert.Equal("array", providers.GetProperty("type").GetString());
        Assert.Equal(["STRIPE", "EMAIL_CLAIM", "MINT_VOUCHER", "ORGANIZATION"], Values(providers.GetProperty("items")));
        Assert.Equal(["DESC", "ASC"], Values(parameters["order_direction"].GetProperty("schema")));
        Assert.Equal(100, parameters["limit"].GetProperty("schema").GetProperty("maximum").GetInt32());
        Assert.Equal(["cursor", "limit", "order_direction"], QueryParameters("GET", "/v1/listings").Keys);
        Assert.Equal(["claw_ids", "limit"], QueryParameters("GET", "/api/v1/vm/recent-pulls").Keys);
        Assert.Equal(["platform"], QueryParameters("GET", "/api/v1/vm/available").Keys);
        Assert.All(QueryParameters("GET", "/api/v1/vm/available").Values.Concat(QueryParameters("GET", "/v1/purchase-intents").Values),
            p => Assert.NotEmpty(p.GetProperty("description").GetString()!));
    }

    /// <summary>Each documented filter is one the route reads: a single-value one given twice, or an unknown list value, is refused by name.</summary>
    [Fact]
    public async Task EveryDocumentedIntentFilterIsReadByTheRoute()
    {
        using var client = host.Silo.CreateClient();
        foreach (var (name, parameter) in QueryParameters("GET", "/v1/purchase-intents"))
        {
            var repeatable = parameter.GetProperty("schema").GetProperty("type").GetString() == "array";
            var query = repeatable ? $"{name}=NOPE" : $"{name}=1&{name}=2";
            var response = await client.GetAsync($"/v1/purchase-intents?{query}");

            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            if (repeatable)
                Assert.StartsWith($"Unknown {name} 'NOPE'; accepted values: ", error);
            else
                Assert.Equal($"{name} takes a single value", error);
        }
    }

    [Fact]
    public void BuyStatusDocumentsBothOfItsAnswers()
    {
        var ok = host.Operation("POST", "/api/v1/vm/buy/status").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");

        Assert.Equal(["#/components/schemas/BuyStatusFulfilled", "#/components/schemas/BuyStatusPending"],
            ok.GetProperty("oneOf").EnumerateArray().Select(s => s.GetProperty("$ref").GetString()));
    }

    [Fact]
    public void WireStringsAndTimestampsHaveTheirTypes()
    {
        var intent = host.Document.GetProperty("components").GetProperty("schemas").GetProperty("PurchaseIntentView").GetProperty("properties");

        Assert.Equal("string", intent.GetProperty("id").GetProperty("type").GetString());
        Assert.Equal(["null", "string"], intent.GetProperty("email").GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("date-time", intent.GetProperty("created_at").GetProperty("format").GetString());
    }

    /// <summary>Only the intent's provider-specific <c>data</c> may be any JSON; every other field says what it holds.</summary>
    [Fact]
    public void EveryFieldButTheProviderSpecificDataHasAType()
    {
        var untyped = host.Document.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .SelectMany(schema => schema.Value.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().Where(p => !(p.Value.TryGetProperty("type", out _) || p.Value.TryGetProperty("$ref", out _)
                    || p.Value.TryGetProperty("oneOf", out _))).Select(p => $"{schema.Name}.{p.Name}")
                : [])
            .ToList();

        Assert.Equal(["CreatedIntentView.data"], untyped);
    }

    private Dictionary<string, JsonElement> QueryParameters(string method, string path) =>
        host.Operation(method, path).GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query")
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);

    private static IEnumerable<string?> Values(JsonElement schema) => schema.GetProperty("enum").EnumerateArray().Select(v => v.GetString());

    private static string? SchemaRef(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private static string Status(int statusCode) => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The statuses a handler's typed results fix themselves (<c>Ok</c> 200, <c>Created</c> 201, <c>NoContent</c> 204).</summary>
    private static IEnumerable<int> UnionStatuses(Type returnType)
    {
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)))
            returnType = returnType.GetGenericArguments()[0];
        var results = returnType.IsGenericType && returnType.Name.StartsWith("Results`", StringComparison.Ordinal)
            ? returnType.GetGenericArguments()
            : [returnType];
        foreach (var result in results)
        {
            var open = result.IsGenericType ? result.GetGenericTypeDefinition() : result;
            if (open == typeof(Ok<>) || open == typeof(Ok))
                yield return StatusCodes.Status200OK;
            else if (open == typeof(Created<>) || open == typeof(Created))
                yield return StatusCodes.Status201Created;
            else if (open == typeof(NoContent))
                yield return StatusCodes.Status204NoContent;
        }
    }
}
