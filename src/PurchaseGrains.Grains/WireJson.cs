using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PurchaseGrains.Grains;

/// <summary>
/// The JSON of documents kept in index tables and served as they are: snake_case like the wire, so a stored
/// document is a response body.
/// </summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("Stored document is null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        WireTimestamps.AddTo(options);
        return options;
    }
}

/// <summary>Timestamps as index columns: Unix microseconds, the precision both stores keep exactly.</summary>
public static class UnixMicros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset ToTime(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    /// <summary>Drops sub-microsecond ticks so a time read back from an index compares equal to the original.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => ToTime(From(time));
}
