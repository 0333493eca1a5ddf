using System.Reflection;
using Microsoft.Extensions.Options;

namespace PurchaseGrains.Silo.Http;

public enum ApiRole { Partner, Admin }

public sealed class ApiKeyEntry
{
    public string Key { get; set; } = "";
    public string Partner { get; set; } = "";
    public ApiRole Role { get; set; } = ApiRole.Partner;
}

public sealed class AuthOptions
{
    public List<ApiKeyEntry> Keys { get; set; } = [];
}

/// <summary>The authenticated partner and role behind the request's API key. Bind it as a handler parameter.</summary>
public sealed record Caller(string Partner, ApiRole Role)
{
    public bool IsAdmin => Role == ApiRole.Admin;

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult(context.Features.Get<Caller>());
}

/// <summary>
/// Endpoint metadata: the route needs an API key (and, if <see cref="AdminOnly"/>, an admin one). With
/// <see cref="BrowserLogin"/> the key may also come as the password of HTTP Basic, which a browser can send and
/// <c>X-API-Key</c> it cannot; a refusal then asks the browser for it.
/// </summary>
public sealed record ApiKeyRequirement(bool AdminOnly, bool BrowserLogin = false);

public static class ApiKeyEndpointExtensions
{
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(AdminOnly: false));

    public static TBuilder RequireAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(AdminOnly: true));

    /// <summary>An admin key, from <c>X-API-Key</c> or as the password of HTTP Basic (any user name).</summary>
    public static TBuilder RequireAdminKeyOrBrowserLogin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequirement(AdminOnly: true, BrowserLogin: true));
}

/// <summary>
/// Checks <c>X-API-Key</c> (or the <c>Phosphor-Api-Key</c> alias) on routes that require one; on browser-login routes
/// also the password of <c>Authorization: Basic</c>.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<AuthOptions> options)
{
    public const string Header = "X-API-Key";
    public const string AliasHeader = "Phosphor-Api-Key";

    private readonly Dictionary<string, Caller> _callers = options.Value.Keys
        .Where(k => !string.IsNullOrEmpty(k.Key))
        .ToDictionary(k => k.Key, k => new Caller(k.Partner, k.Role), StringComparer.Ordinal);

    public Task InvokeAsync(HttpContext context)
    {
        var requirement = context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>();
        if (requirement is null)
            return next(context);

        var key = context.Request.Headers[Header].ToString();
        if (key.Length == 0)
            key = context.Request.Headers[AliasHeader].ToString();
        if (key.Length == 0 && requirement.BrowserLogin)
            key = BasicPassword.From(context.Request.Headers.Authorization.ToString()) ?? "";
        if (key.Length == 0 || !_callers.TryGetValue(key, out var caller))
        {
            if (requirement.BrowserLogin)
                context.Response.Headers.WWWAuthenticate = BasicPassword.Challenge;
            return ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "Invalid API key");
        }
        if (requirement.AdminOnly && !caller.IsAdmin)
            return ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "This route needs an admin API key");

        context.Features.Set(caller);
        return next(context);
    }
}
