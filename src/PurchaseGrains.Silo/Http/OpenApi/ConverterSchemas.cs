using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// The schema of values the wire writes with a converter of its own (strings checked as wire text, timestamps, USD
/// amounts). The schema generator cannot see through a custom converter and would describe them as "any value".
/// </summary>
public sealed class ConverterSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } known)
        {
            // A list of strings: its items went through the same converter and lost their schema on the way.
            if (known.HasFlag(JsonSchemaType.Array) && schema.Items is null && context.JsonTypeInfo.ElementType == typeof(string))
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            return Task.CompletedTask;
        }
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        var (schemaType, format) = type switch
        {
            _ when type == typeof(string) => (JsonSchemaType.String, null),
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => (JsonSchemaType.String, "date-time"),
            _ when type == typeof(decimal) => (JsonSchemaType.Number, null),
            _ => ((JsonSchemaType?)null, (string?)null),
        };
        if (schemaType is null)
            return Task.CompletedTask;
        schema.Type = IsNullable(context, type) ? schemaType | JsonSchemaType.Null : schemaType;
        schema.Format ??= format;
        if (context.JsonPropertyInfo?.CustomConverter is UsdAmountConverter)
            schema.MultipleOf = 0.01m;
        return Task.CompletedTask;
    }

    private static bool IsNullable(OpenApiSchemaTransformerContext context, Type type) =>
        context.JsonTypeInfo.Type != type || context.JsonPropertyInfo is { IsGetNullable: true } && !type.IsValueType;
}
