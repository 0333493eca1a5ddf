using System.Text.Json;
using System.Text.Json.Serialization;

namespace PurchaseGrains.Storage;

/// <summary>JSON for grain payloads: snake_case and enums as strings, so rows read well in SQL.</summary>
public static class GrainStateSerializer
{
    public static readonly JsonSerializerOptions Options = Apply(new JsonSerializerOptions());

    /// <summary>Sets these conventions on <paramref name="options"/> (another serializer's, such as Orleans' grain storage one).</summary>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }

    public static string Serialize<T>(T state) => JsonSerializer.Serialize(state, Options);

    public static T Deserialize<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, Options) ?? throw new InvalidOperationException("Stored state is null.");
}
