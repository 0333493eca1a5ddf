namespace PurchaseGrains.Tests.Http;

/// <summary>The value formats docs/api.md ("Formats") promises, as patterns tests match wire text against.</summary>
public static class WireFormats
{
    /// <summary>UTC, six fraction digits, <c>+00:00</c>: <c>2023-01-26T14:02:10.352195+00:00</c>.</summary>
    public const string Timestamp = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$";
}
