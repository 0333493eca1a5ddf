using System.Text.Json;
using Orleans;

namespace PurchaseGrains.Grains.Serialization;

/// <summary>A card's free-form <c>attributes</c> cross grain calls as their JSON text.</summary>
[GenerateSerializer, Alias("pg.JsonElement")]
public struct JsonElementSurrogate
{
    [Id(0)]
    public string Json;
}

[RegisterConverter]
public sealed class JsonElementSurrogateConverter : IConverter<JsonElement, JsonElementSurrogate>
{
    public JsonElement ConvertFromSurrogate(in JsonElementSurrogate surrogate)
    {
        using var document = JsonDocument.Parse(surrogate.Json);
        return document.RootElement.Clone();
    }

    public JsonElementSurrogate ConvertToSurrogate(in JsonElement value) => new() { Json = value.GetRawText() };
}
