using System.Collections.Frozen;
using System.Text.Json;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// The Phosphor wire spelling of an enum value: upper snake case (<c>MintVoucher</c> is <c>MINT_VOUCHER</c>).
/// Parsing is exact, as in the API we mirror (<c>stripe</c> is not <c>STRIPE</c>), and refuses numbers and unknown names.
/// </summary>
public static class WireEnum<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<T, string> Names =
        Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseUpper.ConvertName(v.ToString()));

    private static readonly FrozenDictionary<string, T> Values =
        Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> AllNames => Names.Values;

    public static string Name(T value) => Names[value];

    public static bool TryParse(string? text, out T value)
    {
        value = default;
        return text is not null && Values.TryGetValue(text.Trim(), out value);
    }
}

public static class WireEnumExtensions
{
    public static string ToWire<T>(this T value) where T : struct, Enum => WireEnum<T>.Name(value);
}
