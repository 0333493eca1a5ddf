using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

/// <summary>Orleans' dashboard at /dashboard: off by default, and only for an admin key (header or HTTP Basic password).</summary>
public class DashboardTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly Dictionary<string, string?> Enabled = new() { ["Dashboard:Enabled"] = "true" };

    [PostgresFact]
    public async Task TheDashboardRefusesACallerWithoutAnAdminKeyAndShowsTheLiveSilosToAnAdmin()
    {
        var connection = await database.CreateSchemaAsync();
        await using var first = await TestSilo.StartPostgresAsync(connection, Enabled);
        await using var second = await TestSilo.StartPostgresAsync(connection, Enabled);
        var silos = new[] { first, second }
            .Select(s => s.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString()).Order().ToList();

        using var anonymous = first.CreateClient(apiKey: null);
        using var refused = await anonymous.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("""{"error":"Invalid API key"}""", await refused.Content.ReadAsStringAsync());
        using var page = await anonymous.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);

        using var partner = first.CreateClient(TestKeys.PartnerA);
        using var forbidden = await partner.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var wrongPassword = BrowserClient(first, TestKeys.PartnerA);
        Assert.Equal(HttpStatusCode.Forbidden, (await wrongPassword.GetAsync("/dashboard/DashboardCounters")).StatusCode);

        using var admin = first.CreateClient(TestKeys.AdminA);
        var hosts = await Eventually.ValueAsync(() => ActiveHostsAsync(admin), h => h.Count == 2, TimeSpan.FromSeconds(30),
            "the dashboard to list both silos as active");
        Assert.Equal(silos, hosts);

        using var browser = BrowserClient(first, TestKeys.AdminA);
        Assert.Equal(silos, await ActiveHostsAsync(browser));
        using var html = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheDashboardIsOffUnlessEnabled()
    {
        await using var silo = await TestSilo.StartSqliteAsync();
        using var admin = silo.CreateClient(TestKeys.AdminA);
        using var answer = await admin.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    /// <summary>What a browser sends after its login prompt: the key as the password of HTTP Basic.</summary>
    private static HttpClient BrowserClient(TestSilo silo, string key)
    {
        var client = silo.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{key}")));
        return client;
    }

    /// <summary>The silo addresses the dashboard lists with status Active, sorted.</summary>
    private static async Task<List<string>> ActiveHostsAsync(HttpClient client)
    {
        using var answer = await client.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("hosts").EnumerateArray()
            .Where(h => h.GetProperty("status").GetString() == "Active")
            .Select(h => h.GetProperty("siloAddress").GetString()!).Order().ToList();
    }
}
