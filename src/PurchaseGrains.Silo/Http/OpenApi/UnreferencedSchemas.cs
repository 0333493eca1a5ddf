using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// Drops component schemas nothing refers to any more, such as the <c>JsonElement</c> of a body that an operation
/// transformer described more precisely. Repeats, since a dropped schema may have been the last to refer to another.
/// </summary>
public sealed class UnreferencedSchemas : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas is not { } schemas)
            return;
        while (true)
        {
            var text = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);
            var unused = schemas.Keys.Where(name => !text.Contains($"\"#/components/schemas/{name}\"", StringComparison.Ordinal)).ToList();
            if (unused.Count == 0)
                return;
            foreach (var name in unused)
                schemas.Remove(name);
        }
    }
}
