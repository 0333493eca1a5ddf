namespace PurchaseGrains.Silo.Http.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, complete enough for a generated client.</summary>
public static class ApiDocument
{
    public static IServiceCollection AddApiDocument(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        var security = new ApiKeySecurity();
        options.AddDocumentTransformer<ApiDocumentInfo>();
        options.AddDocumentTransformer(security);
        options.AddOperationTransformer(security);
        options.AddOperationTransformer<IdempotencyKeyParameter>();
        options.AddSchemaTransformer<ConverterSchemas>();
        options.AddDocumentTransformer<UnreferencedSchemas>();
    });
}
