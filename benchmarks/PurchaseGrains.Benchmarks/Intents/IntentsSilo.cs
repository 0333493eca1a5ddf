using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace PurchaseGrains.Benchmarks.Intents;

/// <summary>
/// A silo on PostgreSQL with Kestrel on loopback and one partner ("bench"), driven through real HTTP: listings and
/// intents are made with the public API, exactly as a client would.
/// </summary>
public sealed class IntentsSilo : IAsyncDisposable
{
    public const string Partner = "bench";
    public const string PartnerKey = "bench-partner-key";
    public const string AdminKey = "bench-admin-key";

    private IntentsSilo(WebApplication app, string connectionString, Uri address)
    {
        App = app;
        ConnectionString = connectionString;
        Http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = address, Timeout = TimeSpan.FromSeconds(120) };
    }

    public WebApplication App { get; }
    public string ConnectionString { get; }
    public HttpClient Http { get; }

    public static async Task<IntentsSilo> StartAsync(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Auth:Keys:0:Key"] = PartnerKey,
            ["Auth:Keys:0:Partner"] = Partner,
            ["Auth:Keys:0:Role"] = "Partner",
            ["Auth:Keys:1:Key"] = AdminKey,
            ["Auth:Keys:1:Partner"] = Partner,
            ["Auth:Keys:1:Role"] = "Admin",
            // Payment polling would add one provider call and one write per PENDING intent per interval; the
            // creation and expiry figures are about creation and expiry, so polling is pushed out of the window.
            ["PurchaseIntents:PaymentPollInterval"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var app = (await BenchSilo.StartAsync(connectionString, all)).App;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new IntentsSilo(app, connectionString, new Uri(address));
    }

    public HttpRequestMessage Request(HttpMethod method, string path, object? body = null, bool admin = false)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", admin ? AdminKey : PartnerKey);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        return request;
    }

    /// <summary>Creates a listing through <c>POST /v1/listings</c>; returns its id.</summary>
    public async Task<string> CreateListingAsync(string itemId, long quantity, int timeoutSeconds, int? maxPerUser = null,
        long price = 2500, string currency = "USD")
    {
        var body = new Dictionary<string, object?>
        {
            ["item_id"] = itemId,
            ["quantity_listed"] = quantity,
            ["price"] = price.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["currency"] = currency,
            ["payment_providers"] = new[] { "STRIPE", "EMAIL_CLAIM", "MINT_VOUCHER", "ORGANIZATION" },
            ["max_quantity_per_tx"] = 5,
            ["policy"] = new Dictionary<string, object?>
            {
                ["type"] = "FCFS",
                ["max_per_user"] = maxPerUser,
                ["payment_session_duration"] = new { timeout_seconds = timeoutSeconds },
            },
            ["start_time"] = DateTimeOffset.UtcNow.AddMinutes(-1),
            ["end_time"] = DateTimeOffset.UtcNow.AddDays(1),
        };
        using var response = await Http.SendAsync(Request(HttpMethod.Post, "/v1/listings", body, admin: true));
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /v1/listings answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary><c>POST /v1/purchase-intents</c>; returns the intent id, or null with the refusal when not 201.</summary>
    public async Task<(string? Id, string? Error)> CreateIntentAsync(string listingId, string provider, string? email, string? ethAddress,
        int quantity = 1)
    {
        var body = new Dictionary<string, object?>
        {
            ["provider"] = provider,
            ["listing_id"] = listingId,
            ["quantity"] = quantity,
            ["buyer"] = new Dictionary<string, object?> { ["email"] = email, ["eth_address"] = ethAddress },
        };
        using var response = await Http.SendAsync(Request(HttpMethod.Post, "/v1/purchase-intents", body));
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.Created
            ? (JsonDocument.Parse(text).RootElement.GetProperty("id").GetString(), null)
            : (null, $"{(int)response.StatusCode} {text}");
    }

    /// <summary>
    /// Waits (bounded) until no reminder's first tick has passed, so background work of one scenario does not land in
    /// the next: an intent drops its reminder once settled, so a reminder past its first tick is unfinished work.
    /// </summary>
    public async Task WaitForDueRemindersAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        while (waited.Elapsed < limit)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_reminders WHERE start_at <= now()", connection);
            if ((long)(await command.ExecuteScalarAsync())! == 0)
                return;
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Latencies of a run, in ms, and what they summarise to.</summary>
public sealed class Latencies
{
    private readonly List<double> _ms = [];
    private readonly Lock _lock = new();

    public void Add(double ms)
    {
        lock (_lock)
            _ms.Add(ms);
    }

    public void AddRange(IEnumerable<double> ms)
    {
        lock (_lock)
            _ms.AddRange(ms);
    }

    public int Count => _ms.Count;

    public double[] Sorted()
    {
        lock (_lock)
        {
            var sorted = _ms.ToArray();
            Array.Sort(sorted);
            return sorted;
        }
    }

    public static double Ms(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
