using System.Diagnostics;
using System.Net;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>The Http fulfilment provider against a real mint service on loopback.</summary>
public class HttpFulfillmentTests
{
    private static Dictionary<string, string?> HttpSettings(MintServiceStub mint, string window = "00:00:10", string deadline = "00:01:00") => new()
    {
        ["Fulfillment:Provider"] = "Http",
        ["Fulfillment:BaseUrl"] = mint.BaseUrl.ToString(),
        ["Fulfillment:PollInterval"] = "00:00:00.100",
        ["Fulfillment:Deadline"] = deadline,
        ["Vm:StatusPollWindow"] = window,
    };

    [Fact]
    public async Task StatusAnswersPendingWhenThePollWindowEndsFirst()
    {
        await using var mint = await MintServiceStub.StartAsync();
        await using var silo = await TestSilo.StartSqliteAsync(settings: HttpSettings(mint, window: "00:00:00.300"));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m);

        var (status, init) = await api.BuyAsync("p1", 1, "u");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(init["nfts"]!.AsArray());
        var (statusCode, body) = await api.StatusAsync(init["session_id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, statusCode);
        Assert.Equal("""{"status":"pending"}""", body.ToJsonString());
        Assert.Equal(1, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }

    [Fact]
    public async Task StatusWakesTheMomentTheMintCompletesAndMintsOnceWithTheOperationIdAsIdempotencyKey()
    {
        await using var mint = await MintServiceStub.StartAsync();
        await using var silo = await TestSilo.StartSqliteAsync(settings: HttpSettings(mint));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m);
        var sessionId = await api.BuyOkAsync("p1", 2, "u");
        var operationId = $"mint_{sessionId}";
        await Eventually.TrueAsync(() => mint.PostsFor(operationId) == 1, TimeSpan.FromSeconds(5), "the session to submit its mint");

        var clock = Stopwatch.StartNew();
        var waiting = api.StatusAsync(sessionId);
        await Task.Delay(300); // let several poll ticks pass while the mint is pending
        mint.Outcome = "completed";
        var (status, body) = await waiting;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"buy/status took {clock.Elapsed} to see the fulfilment");
        var result = body["result"]!;
        Assert.StartsWith("0xmint_", result["tx_hash"]!.GetValue<string>());
        Assert.All(result["nfts"]!.AsArray(), n => Assert.Equal($"addr-{n!["id"]!.GetValue<string>()}", n["mint_address"]!.GetValue<string>()));
        Assert.Equal(1, mint.PostsFor(operationId));
        Assert.Equal(1, mint.MintsCreated);
        Assert.Equal(2, (await api.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task DuplicateTicksNeverSubmitASecondMint()
    {
        await using var mint = await MintServiceStub.StartAsync();
        await using var silo = await TestSilo.StartSqliteAsync(settings: HttpSettings(mint));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);
        var sessionId = await api.BuyOkAsync("p1", 1, "u");
        await Eventually.TrueAsync(() => mint.PostsFor($"mint_{sessionId}") == 1, TimeSpan.FromSeconds(5), "the mint submission");

        var session = silo.Grains.GetGrain<PurchaseGrains.Grains.VendingMachine.IPurchaseSessionGrain>(sessionId);
        var remindable = Orleans.GrainExtensions.AsReference<Orleans.IRemindable>(session);
        var tick = new Orleans.Runtime.TickStatus(DateTime.UtcNow, TimeSpan.FromSeconds(1), DateTime.UtcNow);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => remindable.ReceiveReminder("fulfilment", tick)));
        mint.Outcome = "completed";
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => remindable.ReceiveReminder("fulfilment", tick)));

        Assert.Equal(HttpStatusCode.OK, (await api.StatusAsync(sessionId)).Status);
        Assert.Equal(1, mint.PostsFor($"mint_{sessionId}"));
        Assert.Single((await api.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray());
    }

    [Fact]
    public async Task ASubmissionRetriedAfterATimeoutReusesItsOperationIdSoTheServiceMintsOnce()
    {
        await using var mint = await MintServiceStub.StartAsync();
        mint.PostDelay = TimeSpan.FromSeconds(1);
        var settings = HttpSettings(mint);
        settings["Fulfillment:RequestTimeout"] = "00:00:00.200";
        await using var silo = await TestSilo.StartSqliteAsync(settings: settings);
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);
        var sessionId = await api.BuyOkAsync("p1", 1, "u");
        await Eventually.TrueAsync(() => mint.PostsFor($"mint_{sessionId}") >= 2, TimeSpan.FromSeconds(5), "a retried submission");

        mint.PostDelay = TimeSpan.Zero;
        mint.Outcome = "completed";
        var (status, body) = await api.StatusAsync(sessionId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, mint.MintsCreated);
        Assert.StartsWith("0xmint_", body["result"]!["tx_hash"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnUnavailableOrDownMintServiceIsRetriedUntilItAnswers()
    {
        await using var mint = await MintServiceStub.StartAsync();
        mint.Mode = MintServiceMode.Unavailable;
        await using var silo = await TestSilo.StartSqliteAsync(settings: HttpSettings(mint));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);
        var sessionId = await api.BuyOkAsync("p1", 1, "u");

        await Eventually.TrueAsync(() => mint.FailedCalls >= 3, TimeSpan.FromSeconds(5), "three refused calls (503)");
        mint.Mode = MintServiceMode.Down;
        var failedSoFar = mint.FailedCalls;
        await Eventually.TrueAsync(() => mint.FailedCalls >= failedSoFar + 3, TimeSpan.FromSeconds(5), "three dropped connections");
        mint.Outcome = "completed";
        mint.Mode = MintServiceMode.Up;

        var (status, body) = await api.StatusAsync(sessionId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(body["result"]);
        Assert.Equal(1, mint.MintsCreated);
        Assert.Equal(1, mint.PostsFor($"mint_{sessionId}"));
    }

    [Fact]
    public async Task AMintPastItsDeadlineFailsTheSessionAndReleasesItsCards()
    {
        await using var mint = await MintServiceStub.StartAsync();
        mint.Mode = MintServiceMode.Down;
        await using var silo = await TestSilo.StartSqliteAsync(settings: HttpSettings(mint, deadline: "00:00:00.800"));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m);
        var sessionId = await api.BuyOkAsync("p1", 2, "u");
        Assert.Equal(0, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());

        var clock = Stopwatch.StartNew();
        VmApi.AssertError(HttpStatusCode.BadRequest, "Transaction failed", await api.StatusAsync(sessionId));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"buy/status took {clock.Elapsed} to see the failure (window 10 s)");
        Assert.Equal(2, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
        VmApi.AssertError(HttpStatusCode.NotFound, "User not found", await api.GetAsync("/api/v1/inventory/u"));
    }

    [Fact]
    public async Task AMintTheServiceFailsFailsTheSessionAndReleasesItsCards()
    {
        await using var mint = await MintServiceStub.StartAsync();
        mint.Outcome = "failed";
        await using var silo = await TestSilo.StartSqliteAsync(settings: HttpSettings(mint));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);
        var sessionId = await api.BuyOkAsync("p1", 1, "u");

        VmApi.AssertError(HttpStatusCode.BadRequest, "Transaction failed", await api.StatusAsync(sessionId));
        Assert.Equal(1, (await api.PackAsync("p1"))["in_stock"]!.GetValue<long>());
        mint.Outcome = "completed";
        var again = await api.BuyOkAsync("p1", 1, "u");
        Assert.Equal("c-0", (await api.StatusAsync(again)).Body["result"]!["nfts"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnInFlightSessionIsFinishedByTheNextNodeAfterARestartWithoutMintingTwice()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vm-restart-{Guid.NewGuid():N}.db");
        await using var mint = await MintServiceStub.StartAsync();
        var settings = HttpSettings(mint);
        settings["Reminders:Lease"] = "00:00:01"; // a killed node keeps its leases until they lapse
        string sessionId;
        await using (var first = await TestSilo.StartSqliteAsync(file, settings))
        {
            var api = new VmApi(first);
            await api.PutPackAsync("p1");
            await api.AddCardsAsync("p1", "c", 1m, 2m);
            sessionId = await api.BuyOkAsync("p1", 1, "u");
            await Eventually.TrueAsync(() => mint.PostsFor($"mint_{sessionId}") == 1, TimeSpan.FromSeconds(5), "the mint submission");
            await first.KillAsync();
        }

        mint.Outcome = "completed";
        await using var second = await TestSilo.StartSqliteAsync(file, settings);
        var api2 = new VmApi(second);
        var (status, body) = await api2.StatusAsync(sessionId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("u", body["result"]!["user_id"]!.GetValue<string>());
        Assert.Equal(1, mint.MintsCreated);
        Assert.Equal(1, mint.PostsFor($"mint_{sessionId}"));
        Assert.Equal(1, (await api2.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }

    [Fact]
    public async Task SandboxPurchasesAndInventorySurviveARestartOnTheSameFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vm-restart-{Guid.NewGuid():N}.db");
        string sessionId;
        string publicId;
        await using (var first = await TestSilo.StartSqliteAsync(file))
        {
            var api = new VmApi(first);
            await api.PutPackAsync("p1");
            await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);
            sessionId = await api.BuyOkAsync("p1", 2, "u");
            publicId = (await api.StatusAsync(sessionId)).Body["result"]!["public_id"]!.GetValue<string>();
            await first.StopAsync();
        }

        await using var second = await TestSilo.StartSqliteAsync(file);
        var api2 = new VmApi(second);
        Assert.Equal(publicId, (await api2.StatusAsync(sessionId)).Body["result"]!["public_id"]!.GetValue<string>());
        Assert.Equal(2, (await api2.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray().Count);
        Assert.Equal(1, (await api2.PackAsync("p1"))["in_stock"]!.GetValue<long>());
        Assert.Equal(2, (await api2.GetAsync("/api/v1/vm/recent-pulls")).Body.AsArray().Count);
    }
}
