using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// The drills' HTTP client, as a careful client of the service behaves: every POST carries an Idempotency-Key, and an
/// answer that may be retried (<see cref="RequestOutcome.Retryable"/>) is sent again with the same key until it is
/// answered or <see cref="RetryBudget"/> has passed. A POST answered after a retry, and one in
/// <see cref="ReplaySampleEvery"/> of the others, is sent once more: it must replay the first answer exactly. Every
/// attempt is recorded in <see cref="ClientRecord"/>.
/// </summary>
public sealed class LoadClient(Uri entry, ClientRecord record) : IDisposable
{
    public const string StillRunning = "A request with this Idempotency-Key is still being processed";

    private const int ReplaySampleEvery = 10;
    /// <summary>Longer than nginx's read timeout (30 s): a request sent to a frozen silo is answered 504 only after it.</summary>
    private static readonly TimeSpan RetryBudget = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http = CreateHttp(entry);
    private int _posts;
    private long _requests;

    public sealed record Answer(int Status, JsonNode? Body, DateTimeOffset EndedAt);

    /// <param name="body">An object sent as JSON, or the raw bytes of a JSON body.</param>
    public async Task<Answer> SendAsync(string operation, HttpMethod method, string path, string? apiKey, object? body,
        string? stripeSignature = null)
    {
        var payload = body as byte[] ?? (body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body));
        var key = method == HttpMethod.Post && apiKey is not null ? Guid.NewGuid().ToString("N") : null;
        var requestId = Interlocked.Increment(ref _requests);
        var retries = new RetrySchedule();
        for (var attempt = 1; ; attempt++)
        {
            var (outcome, answer, text) = await SendOnceAsync(operation, method, path, apiKey, payload, key, stripeSignature, attempt, requestId);
            if (!outcome.Retryable)
            {
                if (key is not null && (attempt > 1 || Interlocked.Increment(ref _posts) % ReplaySampleEvery == 0))
                    await CheckReplayAsync(outcome, text, method, path, apiKey, payload, key);
                return answer;
            }
            if (!await retries.WaitAsync())
                return answer;
        }
    }

    /// <summary>The same key and body again: the first answer, marked replayed; anything else is an anomaly.</summary>
    private async Task CheckReplayAsync(RequestOutcome first, string firstText, HttpMethod method, string path, string? apiKey,
        byte[]? payload, string key)
    {
        // A replay may meet the same outage its first answer did: it retries like any request, within the same budget.
        var retries = new RetrySchedule();
        for (var attempt = 1; ; attempt++)
        {
            var (replay, _, text) = await SendOnceAsync($"replay:{first.Operation}", method, path, apiKey, payload, key, null, attempt,
                -first.Request);
            if (replay.Retryable)
            {
                if (!await retries.WaitAsync())
                    return;
                continue;
            }
            if (first.Status < 500)
            {
                record.ReplayChecked();
                if (replay.Status != first.Status || text != firstText || !replay.Replayed)
                    record.Anomaly($"replay of {first} answered {replay}: {Truncate(text)} (first: {Truncate(firstText)})");
            }
            return;
        }
    }

    private async Task<(RequestOutcome Outcome, Answer Answer, string Text)> SendOnceAsync(string operation, HttpMethod method,
        string path, string? apiKey, byte[]? payload, string? idempotencyKey, string? stripeSignature, int attempt, long requestId)
    {
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(method, path);
            if (apiKey is not null)
                request.Headers.Add("X-API-Key", apiKey);
            if (idempotencyKey is not null)
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            if (stripeSignature is not null)
                request.Headers.Add("Stripe-Signature", stripeSignature);
            if (payload is not null)
            {
                request.Content = new ByteArrayContent(payload);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            return request;
        }

        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            using var response = await SendResendingIfClosedAsync(Request, operation);
            var text = await response.Content.ReadAsStringAsync();
            var endedAt = DateTimeOffset.UtcNow;
            var json = ParseOrNull(text);
            var error = json is JsonObject obj && obj.Count == 1 && obj["error"] is JsonValue value && value.TryGetValue<string>(out var message)
                && message.Length > 0 ? message : null;
            var upstream = response.Headers.TryGetValues("X-Upstream-Addr", out var values) ? string.Join(",", values) : null;
            var replayed = response.Headers.TryGetValues("Idempotent-Replayed", out var flags) && flags.Contains("true");
            var outcome = new RequestOutcome(operation, method.Method, path, startedAt, endedAt, (int)response.StatusCode, error is not null,
                error ?? (json is null && text.Length > 0 ? Truncate(text) : null), upstream, null, attempt, replayed, requestId);
            record.Add(outcome);
            return (outcome, new Answer((int)response.StatusCode, json, endedAt), text);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            var endedAt = DateTimeOffset.UtcNow;
            var outcome = new RequestOutcome(operation, method.Method, path, startedAt, endedAt, 0, false, null, null, Describe(exception), attempt, Request: requestId);
            record.Add(outcome);
            return (outcome, new Answer(0, null, endedAt), "");
        }
    }

    /// <summary>
    /// A request written on a pooled keep-alive connection just as nginx closed it (a graceful reload closes its idle
    /// client connections) ends with no answer at all, and nginx never took it: it is written once more, on a new
    /// connection, as HttpClient itself does for requests without a body, and as browsers do. Each such resend is
    /// counted in <see cref="ClientRecord.Resends"/>; any other failure, or a second one, is the attempt's.
    /// </summary>
    private async Task<HttpResponseMessage> SendResendingIfClosedAsync(Func<HttpRequestMessage> request, string operation)
    {
        using var first = request();
        try
        {
            return await _http.SendAsync(first);
        }
        catch (HttpRequestException exception) when (ClosedBeforeAnyAnswer(exception))
        {
            record.Resent(operation, DateTimeOffset.UtcNow, exception.InnerException?.Message ?? exception.Message);
            // A client of its own: the pool could hand out another idle connection the same reload is closing. Its
            // answer is read whole before SendAsync returns, so disposing the client leaves it readable.
            using var fresh = CreateHttp(entry);
            using var again = request();
            return await fresh.SendAsync(again);
        }
    }

    private static bool ClosedBeforeAnyAnswer(HttpRequestException exception) =>
        exception.HttpRequestError == HttpRequestError.ResponseEnded
        || exception.InnerException is IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown } };

    /// <summary>The exception and each inner one, with its type and socket error: the outer message alone ("An error
    /// occurred while sending the request.") does not say how the connection failed.</summary>
    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            var detail = current switch
            {
                HttpRequestException http => $"{http.HttpRequestError}",
                SocketException socket => $"{socket.SocketErrorCode}",
                _ => null,
            };
            parts.Add($"{current.GetType().Name}{(detail is null ? "" : $"[{detail}]")}: {current.Message}");
        }
        return string.Join(" <- ", parts);
    }

    private static JsonNode? ParseOrNull(string text)
    {
        try { return text.Length == 0 ? null : JsonNode.Parse(text); }
        catch (JsonException) { return null; }
    }

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "…";

    private static HttpClient CreateHttp(Uri entry)
    {
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = entry,
            Timeout = TimeSpan.FromSeconds(45),
        };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The pauses between one request's attempts: 200 ms, doubling up to 1 s, until <see cref="RetryBudget"/> is spent.</summary>
    private sealed class RetrySchedule
    {
        private readonly DateTimeOffset _giveUpAt = DateTimeOffset.UtcNow + RetryBudget;
        private TimeSpan _delay = TimeSpan.FromMilliseconds(200);

        /// <summary>Waits before the next attempt; false (without waiting) when the budget would be passed.</summary>
        public async Task<bool> WaitAsync()
        {
            if (DateTimeOffset.UtcNow + _delay > _giveUpAt)
                return false;
            await Task.Delay(_delay);
            _delay = TimeSpan.FromMilliseconds(Math.Min(_delay.TotalMilliseconds * 2, 1000));
            return true;
        }
    }
}
