using System.Data.Common;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PurchaseGrains.Silo.Http;

/// <summary>
/// Turns every failure into the error envelope: bad input is 400 (never 500), a storage outage is a fast 503
/// the client may retry, anything else is a 500 without internals.
/// </summary>
public sealed partial class ErrorEnvelopeMiddleware(RequestDelegate next, ILogger<ErrorEnvelopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var (status, message) = Classify(exception);
            if (status >= 500)
                LogFailed(exception, context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await ApiErrors.WriteAsync(context, status, message);
        }
    }

    public static (int Status, string Message) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => (400, InvalidJson(json)),
        BadHttpRequestException { StatusCode: 413 } => (400, "Request body too large"),
        BadHttpRequestException bad when bad.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) => (400, "Invalid JSON body"),
        BadHttpRequestException { StatusCode: 415 } => (415, ApiErrors.JsonContentTypeRequired),
        BadHttpRequestException bad => (400, BindingProblem(bad.Message)),
        JsonException json => (400, InvalidJson(json)),
        Orleans.Storage.InconsistentStateException => (503, "The resource is busy; retry shortly"),
        // A silo that died or left with the call in flight, a call timed out or refused while the cluster moves
        // activations: nothing was acknowledged, and a retry (with its Idempotency-Key) reaches a live silo.
        Orleans.Runtime.OrleansException when !IsStorageOutage(exception) => (503, "The service is busy; retry shortly"),
        _ when IsStorageOutage(exception) => (503, "Storage is unavailable; retry shortly"),
        _ => (500, "Internal server error"),
    };

    /// <summary>
    /// Names where the body went wrong when the parser knows (a wrong type, a bad value), so the caller need not guess;
    /// not when the path is the body's own long property names echoed back.
    /// </summary>
    private static string InvalidJson(JsonException exception) =>
        exception.Path is { Length: > 1 and <= MaxEchoedPath } path ? $"Invalid JSON body at {path}" : "Invalid JSON body";

    private const int MaxEchoedPath = 200;

    /// <summary>
    /// What a parameter binding failure means, in the API's words: the framework's own text names C# types and
    /// suggests services ("Did you mean to use a Service instead?"), which is no help to a caller.
    /// </summary>
    private static string BindingProblem(string frameworkMessage)
    {
        var missing = RequiredParameter().Match(frameworkMessage);
        if (frameworkMessage.Contains("no body was provided", StringComparison.Ordinal) || missing is { Success: true } && missing.Groups["source"].Value == "body")
            return "A JSON request body is required";
        if (missing.Success)
            return $"{missing.Groups["name"].Value} is required";
        if (UnboundParameter().Match(frameworkMessage) is { Success: true } invalid)
            return $"Invalid value for {invalid.Groups["name"].Value}";
        return "Bad request";
    }

    [GeneratedRegex("""^Required parameter "\S+ (?<name>\w+)" was not provided from (?<source>\w+)""")]
    private static partial Regex RequiredParameter();

    [GeneratedRegex("""^Failed to bind parameter "\S+ (?<name>\w+)" from""")]
    private static partial Regex UnboundParameter();

    /// <summary>True for the failures answered 503 (storage unavailable, resource busy): the client may retry shortly.</summary>
    public static bool IsRetryable(Exception exception) => Classify(exception).Status == 503;

    private static bool IsStorageOutage(Exception exception) => exception switch
    {
        DbException or SocketException or TimeoutException or HttpRequestException => true,
        // Azure storage unreachable (status 0), overloaded (429, 503) or failing (5xx): the SDK already retried.
        Azure.RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        // A storage failure on another silo crosses back without its type (Npgsql's exceptions have no Orleans codec).
        Orleans.Serialization.UnavailableExceptionFallbackException fallback => IsStorageOutageType(fallback.ExceptionType),
        Orleans.Serialization.SerializerException serializer => serializer.Message.Contains("Npgsql.", StringComparison.Ordinal),
        _ when exception.InnerException is { } inner => IsStorageOutage(inner),
        _ => false,
    };

    private static bool IsStorageOutageType(string? typeName) =>
        typeName is not null && (typeName.StartsWith("Npgsql.", StringComparison.Ordinal)
            || typeName.EndsWith("Azure." + nameof(Azure.RequestFailedException), StringComparison.Ordinal)
            || typeName.EndsWith(nameof(SocketException), StringComparison.Ordinal) || typeName.EndsWith(nameof(TimeoutException), StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailed(Exception exception, string method, string path);
}
