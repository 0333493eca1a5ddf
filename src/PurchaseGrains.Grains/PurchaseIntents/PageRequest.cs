using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace PurchaseGrains.Grains.PurchaseIntents;

public enum SortDirection { Desc, Asc }

/// <summary>
/// A keyset position: the (created_at, id) of the last row served. Opaque to clients (base64url), stable while
/// new rows arrive, and meaningful in either direction.
/// </summary>
public sealed record PageCursor(long CreatedAtMicros, string Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{CreatedAtMicros.ToString(CultureInfo.InvariantCulture)}:{Id}"));

    public static PageCursor? Decode(string text)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var colon = decoded.IndexOf(':');
            // The id goes to storage as a query parameter: a NUL in it (forged cursor) must not reach PostgreSQL.
            return colon > 0 && colon < decoded.Length - 1 && WireText.IsValid(decoded)
                && long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
                ? new PageCursor(micros, decoded[(colon + 1)..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary><c>cursor</c>, <c>limit</c> (1..100, default 100) and <c>order_direction</c> (ASC/DESC by created_at, default DESC).</summary>
public sealed record PageRequest(SortDirection Direction, int Limit, PageCursor? Cursor)
{
    public const int MaxLimit = 100;

    public static (PageRequest? Page, string? Error) Parse(QueryValues query)
    {
        var (limitText, limitError) = query.Single("limit");
        if (limitError is not null)
            return (null, limitError);
        var limit = MaxLimit;
        if (limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            return (null, $"limit must be an integer between 1 and {MaxLimit}");

        var (directionText, directionError) = query.Single("order_direction");
        if (directionError is not null)
            return (null, directionError);
        var direction = SortDirection.Desc;
        if (directionText is not null && !WireEnum<SortDirection>.TryParse(directionText, out direction))
            return (null, "order_direction must be ASC or DESC");

        var (cursorText, cursorError) = query.Single("cursor");
        if (cursorError is not null)
            return (null, cursorError);
        PageCursor? cursor = null;
        if (cursorText is not null && (cursor = PageCursor.Decode(cursorText)) is null)
            return (null, "Invalid cursor");
        return (new PageRequest(direction, limit, cursor), null);
    }
}

/// <summary>A query string as name → values (repeated names keep every value).</summary>
public sealed class QueryValues(IReadOnlyDictionary<string, string?[]> values)
{
    /// <summary>One value or none; an empty value counts as none; a repeated name is an error.</summary>
    public (string? Value, string? Error) Single(string name)
    {
        if (!values.TryGetValue(name, out var given))
            return (null, null);
        var nonEmpty = given.Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        return nonEmpty.Count switch
        {
            0 => (null, null),
            1 => (nonEmpty[0]!.Trim(), null),
            _ => (null, $"{name} takes a single value"),
        };
    }

    /// <summary>Every value, whether the name was repeated or its values comma separated (spaces allowed).</summary>
    public IReadOnlyList<string> Many(string name) =>
        values.TryGetValue(name, out var given)
            // Empty entries are kept, so that "payment_provider=,," is refused as an unknown value, not read as no filter.
            ? given.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)).ToList()
            : [];
}
