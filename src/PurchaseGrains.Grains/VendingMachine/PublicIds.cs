using System.Security.Cryptography;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>
/// Short shareable purchase codes like <c>_XKCD7Q</c>: an underscore and six characters from an alphabet without
/// look-alikes (no 0/O, 1/I/L), about 10⁹ codes. Uniqueness is guaranteed by claiming the code (<see cref="IPublicIdGrain"/>).
/// </summary>
public static class PublicIds
{
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    public const int Length = 6;

    public static string Next() => "_" + RandomNumberGenerator.GetString(Alphabet, Length);

    public static bool IsWellFormed(string value) =>
        value.Length == Length + 1 && value[0] == '_' && value.Skip(1).All(c => Alphabet.Contains(c));
}

public static class SandboxTxHash
{
    /// <summary><c>sandbox_&lt;base64url&gt;</c> of 32 random bytes; no on-chain meaning.</summary>
    public static string Next() => "sandbox_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
