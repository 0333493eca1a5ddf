using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime;
using Orleans.Storage;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

/// <summary>
/// A grain call caught in a handover (a silo leaving the cluster) is run again by the silo itself where that is safe:
/// reads, POSTs under an Idempotency-Key, routes marked safe; anything else gets the 503 at once.
/// </summary>
public sealed class GrainHandoverRetryTests : IAsyncLifetime
{
    /// <summary>How many times each id's handler ran; it fails its first <c>fail</c> runs with a handover.</summary>
    private static readonly ConcurrentDictionary<string, int> Runs = new();

    private TestSilo _silo = null!;

    public async Task InitializeAsync() => _silo = await TestSilo.StartSqliteAsync(mapRoutes: MapRoutes);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Theory]
    [InlineData("unavailable")]
    [InlineData("etag")]
    public async Task AReadIsRunAgainUntilTheGrainAnswers(string failure)
    {
        using var client = _silo.CreateClient();
        var id = Guid.NewGuid().ToString("N");

        var response = await client.GetAsync($"/test/handover/{id}?fail=2&failure={failure}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Runs[id]);
    }

    [Fact]
    public async Task APostUnderAnIdempotencyKeyIsRunAgainWithinItsRun()
    {
        using var client = _silo.CreateClient();
        var id = Guid.NewGuid().ToString("N");

        var response = await PostAsync(client, $"/test/handover/{id}?fail=1", "{}", idempotencyKey: "handover");
        var replay = await PostAsync(client, $"/test/handover/{id}?fail=1", "{}", idempotencyKey: "handover");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, Runs[id]);
    }

    [Fact]
    public async Task ARouteMarkedSafeReadsItsBodyAgainFromTheStart()
    {
        using var client = _silo.CreateClient();
        var id = Guid.NewGuid().ToString("N");

        var response = await PostAsync(client, $"/test/handover-safe/{id}?fail=1", """{"event":"evt_1"}""", idempotencyKey: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"event":"evt_1"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, Runs[id]);
    }

    [Fact]
    public async Task AnythingElseIsAnswered503AtOnce()
    {
        using var client = _silo.CreateClient();
        var deleted = Guid.NewGuid().ToString("N");
        var posted = Guid.NewGuid().ToString("N");

        var delete = await client.DeleteAsync($"/test/handover/{deleted}?fail=1");
        var post = await PostAsync(client, $"/test/handover/{posted}?fail=1", "{}", idempotencyKey: null);

        await HttpConventionTests.AssertError(delete, HttpStatusCode.ServiceUnavailable, "The service is busy; retry shortly");
        await HttpConventionTests.AssertError(post, HttpStatusCode.ServiceUnavailable, "The service is busy; retry shortly");
        Assert.Equal(1, Runs[deleted]);
        Assert.Equal(1, Runs[posted]);
    }

    [Fact]
    public async Task AHandoverThatOutlastsTheRetriesIsStillA503()
    {
        using var client = _silo.CreateClient();
        var id = Guid.NewGuid().ToString("N");

        var response = await client.GetAsync($"/test/handover/{id}?fail=100");

        await HttpConventionTests.AssertError(response, HttpStatusCode.ServiceUnavailable, "The service is busy; retry shortly");
        Assert.Equal(5, Runs[id]);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    private static void MapRoutes(WebApplication app)
    {
        var routes = app.MapGroup("/test").RetryGrainHandovers().RequireApiKey();
        routes.MapMethods("/handover/{id}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete], (string id, int fail, string? failure) =>
        {
            Run(id, fail, failure);
            return TypedResults.Ok(new CounterValue(Runs[id]));
        });
        routes.MapPost("/handover-safe/{id}", async (string id, int fail, HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            Run(id, fail, null);
            return TypedResults.Text(body, "application/json");
        }).SafeToRunAgain();
    }

    private static void Run(string id, int fail, string? failure)
    {
        if (Runs.AddOrUpdate(id, 1, (_, runs) => runs + 1) > fail)
            return;
        throw failure switch
        {
            "etag" => new InconsistentStateException("an activation started elsewhere wrote first"),
            _ => new SiloUnavailableException("the target silo became unavailable"),
        };
    }
}
