using System.Text;

namespace PurchaseGrains.Silo.Http;

/// <summary>The password of an <c>Authorization: Basic</c> header, where a browser sends an API key typed at its login prompt.</summary>
public static class BasicPassword
{
    public const string Challenge = "Basic realm=\"PurchaseGrains admin\", charset=\"UTF-8\"";

    /// <summary>The password (after the first colon), or null when the header is absent or not well-formed Basic.</summary>
    public static string? From(string authorization)
    {
        const string scheme = "Basic ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        Span<byte> decoded = stackalloc byte[512];
        if (!Convert.TryFromBase64String(authorization[scheme.Length..].Trim(), decoded, out var length))
            return null;
        var credentials = Encoding.UTF8.GetString(decoded[..length]);
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : credentials[(colon + 1)..];
    }
}
