namespace PurchaseGrains.Silo.Http;

/// <summary>The one error envelope every refusal uses: <c>{"error":"…"}</c>.</summary>
public sealed record ApiError(string Error);

public static class ApiErrors
{
    public const string JsonContentTypeRequired = "Content-Type must be application/json";

    public static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ApiError> Status(int statusCode, string message) =>
        TypedResults.Json(new ApiError(message), statusCode: statusCode);

    public static Task WriteAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(new ApiError(message), ApiJson.ErrorTypeInfo);
    }
}
