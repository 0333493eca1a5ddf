using Orleans;
namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>Why a request was refused; the HTTP layer maps the kind to a status code.</summary>
[GenerateSerializer, Alias("pi.RefusalKind")]
public enum RefusalKind
{
    /// <summary>400: the request itself is wrong.</summary>
    Invalid,
    /// <summary>403: the buyer may not buy here.</summary>
    Forbidden,
    /// <summary>404: no such thing for this partner.</summary>
    NotFound,
    /// <summary>409: the request is fine but the current state does not allow it.</summary>
    Conflict,
}

[GenerateSerializer, Immutable, Alias("pi.PurchaseRefusal")]
public sealed record PurchaseRefusal(RefusalKind Kind, string Message)
{
    public static PurchaseRefusal Invalid(string message) => new(RefusalKind.Invalid, message);
    public static PurchaseRefusal Forbidden(string message) => new(RefusalKind.Forbidden, message);
    public static PurchaseRefusal NotFound(string message) => new(RefusalKind.NotFound, message);
    public static PurchaseRefusal Conflict(string message) => new(RefusalKind.Conflict, message);
}
