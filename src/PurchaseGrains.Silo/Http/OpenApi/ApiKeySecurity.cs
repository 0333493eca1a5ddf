using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>
/// The <c>X-API-Key</c> header (and its <c>Phosphor-Api-Key</c> alias) as security schemes, required by every route
/// that carries an <see cref="ApiKeyRequirement"/>; the others say outright that they need none.
/// </summary>
public sealed class ApiKeySecurity : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Scheme = "ApiKey";
    public const string AliasScheme = "PhosphorApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = Header(ApiKeyMiddleware.Header,
            "The partner's API key. A missing, empty or unknown key gets 401; a partner key on an admin route gets 403.");
        document.Components.SecuritySchemes[AliasScheme] = Header(ApiKeyMiddleware.AliasHeader, "An alias of X-API-Key.");
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var requirement = context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyRequirement>().LastOrDefault();
        operation.Security = requirement is null
            ? []
            : [Requirement(Scheme, context.Document), Requirement(AliasScheme, context.Document)];
        if (requirement is { AdminOnly: true })
            operation.Description = Append(operation.Description, "Needs an admin API key.");
        return Task.CompletedTask;
    }

    private static OpenApiSecurityScheme Header(string name, string description) => new()
    {
        Type = SecuritySchemeType.ApiKey,
        In = ParameterLocation.Header,
        Name = name,
        Description = description,
    };

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static string Append(string? text, string sentence) => string.IsNullOrEmpty(text) ? sentence : $"{text} {sentence}";
}
