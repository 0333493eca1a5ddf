using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PurchaseGrains.Grains;

namespace PurchaseGrains.Silo.Http;

/// <summary>Wire JSON: snake_case fields, as both public APIs use.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.MaxDepth = 32;
        // The web defaults read "1" as 1; the contract answers wrong types, strings for numbers included, with 400.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new WireTextStringConverter());
        options.Converters.Add(new WireTextElementConverter());
        WireTimestamps.AddTo(options);
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
