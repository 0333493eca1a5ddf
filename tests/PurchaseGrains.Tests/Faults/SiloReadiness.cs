using System.Text.Json;

namespace PurchaseGrains.Tests.Faults;

/// <summary>A silo's own view of the cluster, from its readiness route.</summary>
public static class SiloReadiness
{
    /// <summary>
    /// Whether <paramref name="silo"/> answers ready, and how many active silos its membership lists (also in a 503), or
    /// null when it does not answer.
    /// </summary>
    public static async Task<(bool Ready, int ActiveSilos)?> ReadAsync(HttpClient http, Uri silo, CancellationToken token = default)
    {
        try
        {
            using var answer = await http.GetAsync(new Uri(silo, "/health/ready"), token);
            using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(token));
            return (answer.IsSuccessStatusCode, body.RootElement.GetProperty("active_silos").GetInt32());
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }
}
