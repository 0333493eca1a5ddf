using System.Globalization;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// A purchase intent's one durable reminder, named <c>expire:&lt;expiration, Unix ms&gt;:&lt;listing id&gt;</c> so that
/// a tick knows the listing and the deadline even when the intent was never written. It is the durable backstop of the
/// intent's grain timer: due at the expiration, then every backstop period, until the intent is settled. A tick at
/// (or after) the expiration of an intent still PENDING is its expiry.
/// </summary>
public sealed record IntentReminder(string ListingId, long ExpirationMs)
{
    private const string Prefix = "expire:";

    public string Name => $"{Prefix}{ExpirationMs.ToString(CultureInfo.InvariantCulture)}:{ListingId}";

    public DateTimeOffset Expiration => DateTimeOffset.FromUnixTimeMilliseconds(ExpirationMs);

    public static IntentReminder For(string listingId, DateTimeOffset expiration) => new(listingId, expiration.ToUnixTimeMilliseconds());

    /// <summary>Reads a name made by <see cref="Name"/>; a bare <c>expire:&lt;listing id&gt;</c> is an expiry due now.</summary>
    public static IntentReminder? TryParse(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var rest = name[Prefix.Length..];
        var colon = rest.IndexOf(':');
        return colon > 0 && long.TryParse(rest.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var expirationMs)
            ? new IntentReminder(rest[(colon + 1)..], expirationMs)
            : new IntentReminder(rest, long.MinValue);
    }

    /// <summary>Whether a tick that was due at <paramref name="dueAt"/> is the expiry (reminder times are whole milliseconds).</summary>
    public bool IsExpiryAt(DateTimeOffset dueAt) => dueAt.ToUnixTimeMilliseconds() >= ExpirationMs;

    /// <summary>When to wake next: the next poll (no poll: null) or the expiration, whichever comes first.</summary>
    public DateTimeOffset NextDue(DateTimeOffset now, TimeSpan? pollInterval) =>
        pollInterval is { } interval && now + interval < Expiration ? now + interval : Expiration;
}
