using PurchaseGrains.Grains;

namespace PurchaseGrains.Silo.Http;

/// <summary>
/// Query values follow the <see cref="WireText"/> rule too: <c>%00</c> is refused with 400 before it can reach a
/// filter, a cursor or storage (Kestrel already refuses it in the path).
/// </summary>
public sealed class QueryTextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (!WireText.IsValid(name) || values.Any(v => v is not null && !WireText.IsValid(v)))
                return ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "The query string holds a NUL character");
        }
        return next(context);
    }
}
