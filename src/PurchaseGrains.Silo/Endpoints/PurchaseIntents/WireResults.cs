using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary><c>{cursor, has_more, results, total_results}</c>, as the Phosphor list routes answer.</summary>
public sealed record PagedResponse<T>(string? Cursor, bool HasMore, IReadOnlyList<T> Results, long TotalResults);

/// <summary>A JSON document stored in an index table, written to the response as it is.</summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(string Json);

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: true);
}

public static class RefusalResults
{
    public static JsonHttpResult<ApiError> ToResult(this PurchaseRefusal refusal) => ApiErrors.Status(refusal.Kind switch
    {
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    }, refusal.Message);

    public static QueryValues ToQueryValues(this IQueryCollection query) =>
        new(query.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
}
