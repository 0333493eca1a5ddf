using Orleans;

namespace PurchaseGrains.Grains.Shipping;

/// <summary>Where an order goes. <see cref="Country"/> is an upper-case ISO 3166-1 alpha-2 code.</summary>
[GenerateSerializer, Immutable, Alias("ship.Destination")]
public sealed record ShippingDestination(
    [property: Id(0)] string Name,
    [property: Id(1)] string Line1,
    [property: Id(2)] string? Line2,
    [property: Id(3)] string City,
    [property: Id(4)] string? State,
    [property: Id(5)] string PostalCode,
    [property: Id(6)] string Country,
    [property: Id(7)] string? Phone,
    [property: Id(8)] string? Email);

/// <summary>The checks behind <c>Invalid destination</c>.</summary>
public static class DestinationRules
{
    public const int MaxFieldLength = 200;

    /// <summary>The destination with trimmed fields and an upper-case country, or null when it is not a valid one.</summary>
    public static ShippingDestination? Validate(string? name, string? line1, string? line2, string? city, string? state,
        string? postalCode, string? country, string? phone, string? email)
    {
        if (Required(name) is not { } n || Required(line1) is not { } l1 || Required(city) is not { } c
            || Required(postalCode) is not { } p || Required(country)?.ToUpperInvariant() is not { } code || !Countries.IsKnown(code))
            return null;
        if (!Optional(line2, out var l2) || !Optional(state, out var s) || !Optional(phone, out var ph) || !Optional(email, out var e))
            return null;
        return new ShippingDestination(n, l1, l2, c, s, p, code, ph, e);
    }

    private static string? Required(string? value) =>
        value?.Trim() is { Length: > 0 and <= MaxFieldLength } trimmed ? trimmed : null;

    private static bool Optional(string? value, out string? trimmed)
    {
        trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        return trimmed is null || trimmed.Length <= MaxFieldLength;
    }
}
