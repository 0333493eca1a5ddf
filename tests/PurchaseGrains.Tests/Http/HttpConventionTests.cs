using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

public sealed class HttpConventionTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    public async Task InitializeAsync() =>
        _silo = await TestSilo.StartSqliteAsync(mapRoutes: TestRoutes.Map);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-key")]
    public async Task MissingEmptyOrUnknownKeyIsRefusedWith401(string? key)
    {
        using var client = _silo.CreateClient(apiKey: null);
        if (key is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-API-Key", key);

        var response = await client.PostAsJsonAsync("/test/counters/a", new { by = 1 });

        await AssertError(response, HttpStatusCode.Unauthorized, "Invalid API key");
    }

    [Theory]
    [InlineData("/api/v1/vm/buy/init", "")]
    [InlineData("/api/v1/vm/buy/init", "null")]
    [InlineData("/v1/purchase-intents", "")]
    [InlineData("/v1/purchase-intents", "null")]
    public async Task AnEmptyOrNullJsonBodyIsNamedInTheApisOwnWords(string path, string body)
    {
        using var client = _silo.CreateClient();

        var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertError(response, HttpStatusCode.BadRequest, "A JSON request body is required");
    }

    [Theory]
    [InlineData("/api/v1/vm/buy/init", "text/plain")]
    [InlineData("/api/v1/vm/buy/init", null)]
    [InlineData("/v1/purchase-intents", "application/xml")]
    public async Task ABodyThatIsNotJsonIs415NamingTheExpectedContentType(string path, string? contentType)
    {
        using var client = _silo.CreateClient();
        var content = new ByteArrayContent("""{"id":"demo","amount":1,"user_id":"u"}"""u8.ToArray());
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync(path, content);

        await AssertError(response, HttpStatusCode.UnsupportedMediaType, "Content-Type must be application/json");
    }

    /// <summary>
    /// Kestrel refuses headers over its 32 KiB total before any middleware runs, and writes that answer itself with no
    /// body to put an envelope in; docs/api.md documents it. Below that limit, the service's own JSON 400 answers.
    /// </summary>
    [Fact]
    public async Task AnIdempotencyKeyPastKestrelsHeaderLimitIs431AndOneJustOverOursIsTheJson400()
    {
        using var client = _silo.CreateClient();

        using var huge = new HttpRequestMessage(HttpMethod.Post, "/test/counters/h") { Content = JsonContent.Create(new { by = 1 }) };
        huge.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 100_000));
        var refused = await client.SendAsync(huge);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsByteArrayAsync());

        using var long1000 = new HttpRequestMessage(HttpMethod.Post, "/test/counters/h") { Content = JsonContent.Create(new { by = 1 }) };
        long1000.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 1_000));
        await AssertError(await client.SendAsync(long1000), HttpStatusCode.BadRequest, "Idempotency-Key must be at most 255 characters");
    }

    [Fact]
    public async Task ThePhosphorKeyHeaderIsAnAlias()
    {
        using var client = _silo.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Add("Phosphor-Api-Key", TestKeys.PartnerA);

        var response = await client.PostAsJsonAsync("/test/counters/alias", new { by = 2 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task APartnerKeyCannotUseAdminRoutes()
    {
        using var partner = _silo.CreateClient(TestKeys.PartnerA);
        using var admin = _silo.CreateClient(TestKeys.AdminA);

        await AssertError(await partner.PostAsync("/test/admin-only", null), HttpStatusCode.Forbidden, "This route needs an admin API key");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/test/admin-only", null)).StatusCode);
    }

    [Theory]
    [InlineData("{\"by\": 1", "Invalid JSON body at $.by")] // where the parser stopped
    [InlineData("{\"by\": \"one\"}", "Invalid JSON body at $.by")]
    [InlineData("[1,2,3]", "Invalid JSON body")]
    [InlineData("{\"by\": 1e400}", "Invalid JSON body at $.by")]
    [InlineData("{\"by\": \"1\"}", "Invalid JSON body at $.by")] // a string for a number is a wrong type, even when it holds one
    public async Task MalformedJsonOrWrongTypesAre400InTheEnvelope(string body, string message)
    {
        using var client = _silo.CreateClient();

        var response = await client.PostAsync("/test/counters/bad", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertError(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task AnInvalidBodyIsNotEchoedBackThroughALongPropertyName()
    {
        using var client = _silo.CreateClient();
        var body = "{\"" + new string('x', 300) + "\": ";

        var response = await client.PostAsync("/test/counters/bad", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertError(response, HttpStatusCode.BadRequest, "Invalid JSON body");
    }

    [Fact]
    public async Task AnOversizedBodyIs400NotACrash()
    {
        using var client = _silo.CreateClient();
        var huge = "{\"by\": 1, \"pad\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";

        var response = await client.PostAsync("/test/counters/huge", new StringContent(huge, Encoding.UTF8, "application/json"));

        await AssertError(response, HttpStatusCode.BadRequest, "Request body too large");
    }

    [Fact]
    public async Task UnknownRoutesAnswer404InTheEnvelope()
    {
        using var client = _silo.CreateClient();

        await AssertError(await client.GetAsync("/no/such/route"), HttpStatusCode.NotFound, "Not found");
    }

    [Fact]
    public async Task HealthAndOpenApiNeedNoKey()
    {
        using var client = _silo.CreateClient(apiKey: null);

        Assert.Equal("live", (await client.GetFromJsonAsync<JsonElement>("/health/live")).GetProperty("status").GetString());
        Assert.Equal("ready", (await client.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("status").GetString());
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/health/ready", out _));
    }

    [Theory]
    [InlineData("/v1/purchase-intents?listing_id=%00")]
    [InlineData("/api/v1/vm/recent-pulls?claw_ids=a%00b")]
    public async Task ANulInTheQueryIs400InTheEnvelope(string target)
    {
        using var client = _silo.CreateClient();

        await AssertError(await client.GetAsync(target), HttpStatusCode.BadRequest, "The query string holds a NUL character");
    }

    [Theory]
    [InlineData("/v1/listings?cursor=MToA")] // base64url of "1:\0": PostgreSQL answered 503 to it
    [InlineData("/v1/purchase-intents?cursor=MToA")]
    public async Task AForgedCursorHoldingANulIsAnInvalidCursor(string target)
    {
        using var client = _silo.CreateClient();

        await AssertError(await client.GetAsync(target), HttpStatusCode.BadRequest, "Invalid cursor");
    }

    [Fact]
    public async Task A100kCharacterIdReachesTheApiAndGetsItsAnswerInTheEnvelope()
    {
        using var client = _silo.CreateClient();

        await AssertError(await client.GetAsync($"/v1/listings/{new string('x', 100_000)}"), HttpStatusCode.NotFound, "Listing not found");
    }

    internal static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(message, body.GetProperty("error").GetString());
    }
}
