using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PurchaseGrains.Tests.Sweep;

/// <summary>What a sweep request must get: a refusal (4xx) for bad input to a route that changes state, or anything
/// but a 5xx for a read.</summary>
/// <remarks><see cref="RefusedByKestrel"/>: a request Kestrel refuses at the protocol level (a NUL in the decoded path)
/// with a bodiless 400 before the app runs; the envelope cannot be given there, the 400 must still be.</remarks>
public enum Expect { Refused, NotServerError, RefusedByKestrel }

/// <summary>One generated request. <paramref name="Target"/> is the path and query exactly as sent (already escaped).</summary>
public sealed record SweepRequest(
    string Category,
    HttpMethod Method,
    string Target,
    byte[]? Body = null,
    string? ContentType = "application/json",
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    Expect Expect = Expect.Refused,
    bool Chunked = false)
{
    public static byte[] Utf8(string body) => Encoding.UTF8.GetBytes(body);

    public static IReadOnlyList<KeyValuePair<string, string>> Key(string? apiKey, string header = "X-API-Key") =>
        apiKey is null ? [] : [new(header, apiKey)];

    public override string ToString()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 160));
        var headers = string.Join("; ", (Headers ?? []).Select(h => $"{h.Key}: {Shorten(h.Value, 60)}"));
        return $"[{Category}] {Method} {Shorten(Target, 160)} ({ContentType ?? "no content type"}, {Body?.Length ?? 0} bytes{(Chunked ? ", chunked" : "")}) " +
               $"headers {{{headers}}} body {Shorten(body, 160)}";
    }

    public static string Shorten(string text, int max) => text.Length <= max ? text : $"{text[..max]}…(+{text.Length - max})";
}

/// <summary>Sends sweep requests with bounded concurrency and checks the envelope rules on every answer.</summary>
public sealed class SweepRunner(Uri baseAddress, int seed) : IDisposable
{
    private static readonly UriCreationOptions AsIs = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly HttpClient _client = new(new SocketsHttpHandler { MaxConnectionsPerServer = 16, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public int Total => _counts.Values.Sum();

    public async Task RunAsync(IReadOnlyList<SweepRequest> requests, int concurrency = 8)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (index, _) => await CheckAsync(index, requests[index]));
    }

    /// <summary>Sends one request and returns (status, body); transport failures are recorded as sweep failures.</summary>
    public async Task<(int Status, string Body)> SendAsync(SweepRequest request)
    {
        using var message = new HttpRequestMessage(request.Method, new Uri(baseAddress + request.Target.TrimStart('/'), in AsIs));
        foreach (var (name, value) in request.Headers ?? [])
            message.Headers.TryAddWithoutValidation(name, value);
        // An oversized body with a Content-Length is refused before a byte of it is read, and the connection closed:
        // a client still uploading would lose the answer, so it waits for "100 Continue" (that never comes) first.
        if (request.Body is { Length: > 1024 * 1024 } && !request.Chunked)
            message.Headers.ExpectContinue = true;
        if (request.Body is not null)
        {
            message.Content = request.Chunked ? new StreamContent(new MemoryStream(request.Body)) : new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }
        using var response = await _client.SendAsync(message);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 400 && !IsEnvelope(response, body))
            return (status, "NO ENVELOPE: " + body);
        return (status, body);
    }

    private async Task CheckAsync(int index, SweepRequest request)
    {
        _counts.AddOrUpdate(request.Category, 1, (_, n) => n + 1);
        try
        {
            var (status, body) = await SendWithRetryAsync(request);
            var problem = status switch
            {
                >= 500 => "a server error",
                400 when request.Expect == Expect.RefusedByKestrel => null,
                >= 400 when body.StartsWith("NO ENVELOPE", StringComparison.Ordinal) => "a 4xx without the {\"error\":\"…\"} envelope",
                < 400 when request.Expect is Expect.Refused or Expect.RefusedByKestrel => "bad input accepted",
                _ => null,
            };
            if (problem is not null)
                Fail(index, request, $"{problem}: {status} {SweepRequest.Shorten(body, 300)}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            Fail(index, request, $"no answer: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// A chunked oversized upload is refused once 1 MiB has been read and the connection closed: a client still
    /// writing the rest can lose the answer to the reset. That race is the client's, so it tries again (twice).
    /// </summary>
    private async Task<(int Status, string Body)> SendWithRetryAsync(SweepRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(request);
            }
            catch (HttpRequestException) when (request.Chunked && attempt < 3)
            {
                await Task.Delay(50 * attempt);
            }
        }
    }

    public void Fail(int index, SweepRequest? request, string problem) =>
        _failures.Enqueue($"#{index} {request}\n    -> {problem}");

    public void Fail(string problem) => _failures.Enqueue(problem);

    /// <summary>Fails the test with every recorded problem and the seed that reproduces them.</summary>
    public void AssertNoFailures()
    {
        if (_failures.IsEmpty)
            return;
        var list = _failures.ToList();
        Assert.Fail($"Bad-input sweep (seed {seed}; rerun with SWEEP_SEED={seed}) found {list.Count} problem(s) in {Total} requests:\n" +
                    string.Join("\n", list.Take(150)) + (list.Count > 150 ? $"\n… and {list.Count - 150} more" : ""));
    }

    private static bool IsEnvelope(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
            return false;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String && error.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
