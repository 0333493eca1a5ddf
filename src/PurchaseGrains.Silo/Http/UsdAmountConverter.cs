using System.Text.Json;
using System.Text.Json.Serialization;

namespace PurchaseGrains.Silo.Http;

/// <summary>
/// A USD amount of the vending machine, written with exactly two decimals (<c>8.50</c>, as the Phygitals pages show
/// <c>buyback_price</c>), whatever scale the value was computed or stored with.
/// </summary>
public sealed class UsdAmountConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(ToCents(value));

    /// <summary>Rounded to cents; adding <c>0.00m</c> raises a smaller scale to two (<c>4.2m</c> becomes <c>4.20m</c>).</summary>
    public static decimal ToCents(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero) + 0.00m;
}

/// <summary>Marks a wire property as a USD amount: <c>[property: Usd] decimal BuybackPrice</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class UsdAttribute() : JsonConverterAttribute(typeof(UsdAmountConverter));
