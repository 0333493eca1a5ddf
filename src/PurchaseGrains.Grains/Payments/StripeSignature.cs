using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PurchaseGrains.Grains.Payments;

public enum SignatureCheck { Valid, Missing, Malformed, Mismatch, OutsideTolerance }

/// <summary>
/// Stripe webhook signatures: <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;</c>
/// over the raw body bytes. Any one v1 may match (Stripe sends several while a secret rolls).
/// </summary>
public static class StripeSignature
{
    private static readonly long MinUnixSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static SignatureCheck Verify(string? header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header))
            return SignatureCheck.Missing;
        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                return SignatureCheck.Malformed;
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t")
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                    return SignatureCheck.Malformed;
                timestamp = t;
            }
            else if (key == "v1")
            {
                try { signatures.Add(Convert.FromHexString(value)); }
                catch (FormatException) { return SignatureCheck.Malformed; }
            }
        }
        if (timestamp is not { } signedAt || signatures.Count == 0)
            return SignatureCheck.Malformed;

        var expected = Compute(signedAt, body, secret);
        if (!signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected)))
            return SignatureCheck.Mismatch;
        // A timestamp no clock can show (beyond year 9999 or before year 1) is outside any tolerance.
        if (signedAt < MinUnixSeconds || signedAt > MaxUnixSeconds)
            return SignatureCheck.OutsideTolerance;
        var age = now - DateTimeOffset.FromUnixTimeSeconds(signedAt);
        return age.Duration() > tolerance ? SignatureCheck.OutsideTolerance : SignatureCheck.Valid;
    }

    /// <summary>The header value Stripe would send for <paramref name="body"/> signed at <paramref name="signedAt"/>.</summary>
    public static string Header(ReadOnlySpan<byte> body, string secret, DateTimeOffset signedAt)
    {
        var t = signedAt.ToUnixTimeSeconds();
        return $"t={t.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Compute(t, body, secret))}";
    }

    private static byte[] Compute(long timestamp, ReadOnlySpan<byte> body, string secret)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload);
    }
}
