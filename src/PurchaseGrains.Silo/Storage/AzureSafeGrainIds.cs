using System.Security.Cryptography;
using System.Text;
using OrleansGrainId = Orleans.Runtime.GrainId;

namespace PurchaseGrains.Silo.Storage;

/// <summary>
/// The grain id a state is stored under in Azure storage. Keys come from callers (user ids, pack ids), and Azure limits
/// what a key may be: a table key holds at most 1 KiB and no <c>/ \ # ?</c> or control characters, a blob name at most
/// 1,024 characters. A key that is short and of plain characters is kept as it is, so stored state stays readable; any
/// other becomes <c>~</c> and its SHA-256. A plain key never contains <c>~</c>, so the two kinds cannot meet.
/// </summary>
public static class AzureSafeGrainIds
{
    public const int MaxPlainKeyLength = 200;

    public static OrleansGrainId For(OrleansGrainId grainId)
    {
        var key = grainId.Key.ToString()!;
        return IsPlain(key) ? grainId : OrleansGrainId.Create(grainId.Type, "~" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
    }

    private static bool IsPlain(string key) =>
        key.Length is > 0 and <= MaxPlainKeyLength && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@' or '+' or '=' or ',');
}
