using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// A query parameter a handler reads from <c>HttpRequest.Query</c> itself (to parse it with the API's own rules and
/// errors), which the document therefore cannot infer. <paramref name="Values"/> lists the accepted values;
/// <paramref name="Repeatable"/> ones may be given several times or comma separated.
/// </summary>
public sealed record QueryParameter(
    string Name,
    string Description,
    JsonSchemaType Type = JsonSchemaType.String,
    IReadOnlyCollection<string>? Values = null,
    bool Repeatable = false,
    string? Format = null,
    string? Pattern = null,
    int? Minimum = null,
    int? Maximum = null,
    string? Default = null);

public static class QueryParameters
{
    /// <summary>Adds the parameters, or replaces the ones of the same name the document inferred from the handler.</summary>
    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, IReadOnlyList<QueryParameter> parameters) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var parameter in parameters)
            {
                var inferred = operation.Parameters.Where(p => p.In == ParameterLocation.Query && p.Name == parameter.Name).ToList();
                foreach (var duplicate in inferred)
                    operation.Parameters.Remove(duplicate);
                operation.Parameters.Add(ToOpenApi(parameter));
            }
            return Task.CompletedTask;
        });

    public static OpenApiParameter ToOpenApi(QueryParameter parameter)
    {
        var value = new OpenApiSchema
        {
            Type = parameter.Type,
            Format = parameter.Format,
            Pattern = parameter.Pattern,
            Minimum = parameter.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = parameter.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Enum = parameter.Values?.Select(v => (System.Text.Json.Nodes.JsonNode)v!).ToList(),
        };
        if (parameter.Default is { } defaultValue)
            value.Default = parameter.Type == JsonSchemaType.Integer ? int.Parse(defaultValue, System.Globalization.CultureInfo.InvariantCulture) : defaultValue;
        var described = new OpenApiParameter
        {
            Name = parameter.Name,
            In = ParameterLocation.Query,
            Required = false,
            Description = parameter.Description,
            Schema = parameter.Repeatable ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = value } : value,
        };
        if (parameter.Repeatable)
            (described.Style, described.Explode) = (ParameterStyle.Form, true);
        return described;
    }
}
