using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PurchaseGrains.Silo.Http;

/// <summary>Wire JSON: snake_case fields, as both public APIs use.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.MaxDepth = 32;
    }

    public static readonly JsonSerializerOptions Options = CreateOptions();

    public static readonly JsonTypeInfo<ApiError> ErrorTypeInfo = (JsonTypeInfo<ApiError>)Options.GetTypeInfo(typeof(ApiError));

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        Configure(options);
        options.MakeReadOnly();
        return options;
    }
}
