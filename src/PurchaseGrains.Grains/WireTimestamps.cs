using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PurchaseGrains.Grains;

/// <summary>
/// Every timestamp the service writes: UTC with exactly six fraction digits and the offset <c>+00:00</c>
/// (<c>2023-01-26T14:02:10.352195+00:00</c>), as the Phosphor retrieval page shows its <c>created_at</c>. The
/// vending-machine docs show no timestamp, so its routes use the same form. Reading accepts any ISO-8601 form.
/// </summary>
public static class WireTimestamps
{
    public const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'+00:00'";

    public static string ToWire(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>
    /// As a raw JSON string: the writer's default encoder would send the offset's plus sign as <c>\u002B</c>, which
    /// readers decode, but which is not the form the docs show and not byte-equal to the stored list documents.
    /// </summary>
    private static void WriteTo(Utf8JsonWriter writer, DateTimeOffset time) =>
        writer.WriteRawValue($"\"{ToWire(time)}\"", skipInputValidation: true);

    public static void AddTo(JsonSerializerOptions options)
    {
        options.Converters.Add(new DateTimeOffsetConverter());
        options.Converters.Add(new DateTimeConverter());
    }

    private sealed class DateTimeOffsetConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            WriteTo(writer, value);
    }

    /// <summary>A <see cref="DateTime"/> of unspecified kind is taken as UTC, as every time the service keeps is.</summary>
    private sealed class DateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            WriteTo(writer, value.Kind == DateTimeKind.Unspecified
                ? new DateTimeOffset(value, TimeSpan.Zero)
                : new DateTimeOffset(value.ToUniversalTime()));
    }
}
