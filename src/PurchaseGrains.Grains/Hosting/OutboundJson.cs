using System.Net.Http.Json;
using System.Text.Json;

namespace PurchaseGrains.Grains.Hosting;

/// <summary>
/// JSON calls to an outside service (the mint service, the carrier): snake_case bodies, one timeout per call, and every
/// failure that is not a clear answer (down, timed out, non-2xx, unreadable) turned into the caller's "unavailable"
/// exception, which its grain retries on the next tick.
/// </summary>
public static class OutboundJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary><paramref name="relative"/> under <paramref name="baseUrl"/> (with or without its trailing slash).</summary>
    public static Uri Url(Uri? baseUrl, string setting, string relative)
    {
        if (baseUrl is null)
            throw new InvalidOperationException($"{setting} is not set.");
        return new Uri(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), relative);
    }

    public static async Task<T> SendAsync<T>(HttpClient client, HttpRequestMessage request, TimeSpan timeout, string service,
        Func<string, Exception?, Exception> unavailable, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, deadline.Token);
            if (!response.IsSuccessStatusCode)
                throw unavailable($"The {service} answered {(int)response.StatusCode} to {request.Method} {request.RequestUri}.", null);
            return await response.Content.ReadFromJsonAsync<T>(Options, deadline.Token)
                ?? throw unavailable($"The {service} answered an empty body.", null);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw unavailable($"The {service} could not be reached: {exception.Message}", exception);
        }
    }
}
