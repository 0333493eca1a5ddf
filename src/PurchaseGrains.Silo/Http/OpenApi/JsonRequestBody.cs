using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// Describes a required JSON request body of <typeparamref name="TBody"/>, for handlers that read the body themselves
/// (raw, to verify a signature or to refuse unknown fields), so the framework cannot infer it.
/// </summary>
public static class JsonRequestBody
{
    public static async Task DescribeAsync<TBody>(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        string description, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}
