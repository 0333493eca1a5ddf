using System.Text.Json;
using System.Text.Json.Serialization;
using PurchaseGrains.Grains;

namespace PurchaseGrains.Silo.Http;

/// <summary>Request strings must be <see cref="WireText"/>: a NUL or a lone surrogate makes the body invalid JSON (400).</summary>
public sealed class WireTextStringConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"Expected a string, got {reader.TokenType}.");
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw new JsonException("A string holds an unpaired surrogate.", exception);
        }
        return WireText.IsValid(text) ? text : throw new JsonException("A string holds a NUL character or an unpaired surrogate.");
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>Free-form JSON in a request (card attributes, a PATCH body) follows the same text rule as strings.</summary>
public sealed class WireTextElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var element = JsonElement.ParseValue(ref reader);
        return WireText.IsValid(element) ? element : throw new JsonException("A string holds a NUL character or an unpaired surrogate.");
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);
}
