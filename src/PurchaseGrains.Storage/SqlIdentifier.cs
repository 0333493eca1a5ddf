using System.Text.RegularExpressions;

namespace PurchaseGrains.Storage;

/// <summary>
/// Index table, column and index names are spliced into SQL text, so only plain lower-case identifiers pass
/// (<c>[a-z_][a-z0-9_]*</c>, at most 63 characters, PostgreSQL's limit).
/// </summary>
public static partial class SqlIdentifier
{
    [GeneratedRegex(@"^[a-z_][a-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    /// <summary>Returns the name double-quoted (so keywords such as <c>order</c> work) or throws for an invalid one.</summary>
    public static string Quote(string name) =>
        IsValid(name)
            ? $"\"{name}\""
            : throw new ArgumentException($"'{name}' is not a valid SQL identifier: use [a-z_][a-z0-9_]*, at most 63 characters.", nameof(name));
}
