using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PurchaseGrains.Silo.Idempotency;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>The optional <c>Idempotency-Key</c> header on the POST routes <see cref="IdempotencyMiddleware"/> serves.</summary>
public sealed class IdempotencyKeyParameter : IOpenApiOperationTransformer
{
    public const string Header = "Idempotency-Key";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<ApiKeyRequirement>().Any() || !PipelineAnswers.IsPost(metadata))
            return Task.CompletedTask;
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = Header,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retry safe: the first answer for this key, partner and route is kept 24 h and replayed "
                + "(with Idempotent-Replayed: true) for a retry with the same body. The same key with another body gets 422; "
                + "while the first request still runs, 409.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyMiddleware.MaxKeyLength },
        });
        return Task.CompletedTask;
    }
}
