using System.Buffers.Text;
using System.Security.Cryptography;

namespace PurchaseGrains.Grains.Shipping;

/// <summary>
/// Ids of the shipping API: a quote session <c>quote_&lt;16 base64url&gt;</c>, each of its quotes
/// <c>&lt;session_id&gt;_rate_&lt;service&gt;</c>, an order <c>order_&lt;16 base64url&gt;</c>.
/// </summary>
public static class ShippingIds
{
    private const string QuotePrefix = "quote_";
    private const string OrderPrefix = "order_";
    private const string RateSeparator = "_rate_";
    private const int RandomLength = 16;
    private const int MaxServiceLength = 40;

    public static string NewQuoteSession() => QuotePrefix + RandomPart();

    public static string NewOrder() => OrderPrefix + RandomPart();

    public static string QuoteId(string sessionId, string service) => sessionId + RateSeparator + service;

    /// <summary>Splits a quote id into its session and service; false when it is not shaped like one.</summary>
    public static bool TryParseQuoteId(string? quoteId, out string sessionId, out string service)
    {
        sessionId = service = "";
        var sessionLength = QuotePrefix.Length + RandomLength;
        if (quoteId is null || quoteId.Length <= sessionLength + RateSeparator.Length
            || string.CompareOrdinal(quoteId, sessionLength, RateSeparator, 0, RateSeparator.Length) != 0)
            return false;
        sessionId = quoteId[..sessionLength];
        service = quoteId[(sessionLength + RateSeparator.Length)..];
        return IsWellFormed(sessionId, QuotePrefix) && IsServiceName(service);
    }

    public static bool IsOrderId(string? orderId) => orderId is not null && IsWellFormed(orderId, OrderPrefix);

    /// <summary>A carrier's service names go into quote ids: short, and only letters, digits, '-' and '_'.</summary>
    public static bool IsServiceName(string? service) =>
        service is { Length: > 0 and <= MaxServiceLength } && service.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsWellFormed(string id, string prefix) =>
        id.Length == prefix.Length + RandomLength && id.StartsWith(prefix, StringComparison.Ordinal)
        && id.AsSpan(prefix.Length).IndexOfAnyExcept(Base64UrlAlphabet) < 0;

    private static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>12 random bytes: 16 base64url characters, no padding.</summary>
    private static string RandomPart() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
}
