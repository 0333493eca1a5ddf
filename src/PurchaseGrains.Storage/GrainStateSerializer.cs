using System.Text.Json;
using System.Text.Json.Serialization;

namespace PurchaseGrains.Storage;

/// <summary>JSON for grain payloads: snake_case and enums as strings, so rows read well in SQL.</summary>
public static class GrainStateSerializer
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(T state) => JsonSerializer.Serialize(state, Options);

    public static T Deserialize<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, Options) ?? throw new InvalidOperationException("Stored state is null.");
}
