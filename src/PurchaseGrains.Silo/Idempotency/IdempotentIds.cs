using System.Security.Cryptography;
using System.Text;

namespace PurchaseGrains.Silo.Idempotency;

/// <summary>
/// The id of what a POST creates, derived from its <c>Idempotency-Key</c> (with the partner and route). A 5xx is not
/// kept for replay, and an answer can be lost with a dying silo after the work was recorded: the retry with the same
/// key then reaches the same purchase, which answers as it is, instead of starting a second one.
/// </summary>
public static class IdempotentIds
{
    /// <summary>Null without a key: the caller makes a random id.</summary>
    public static string? For(HttpContext context, string partner)
    {
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
            return null;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{partner}\n{context.Request.Path}\n{key}"));
        // A version-8 (custom) UUID, so it reads like the random ids and never equals one of them.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
