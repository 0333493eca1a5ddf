using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PurchaseGrains.Tests.Sweep;

/// <summary>
/// Bad values for the sweep, as raw JSON fragments (so that what no serializer would write, like <c>1e309</c>, a lone
/// surrogate escape or a truncated literal, can be sent) and as raw path/query text. Fixed lists plus values drawn
/// from the seeded <see cref="Random"/>, so a seed reproduces a run.
/// </summary>
public sealed class BadValues(Random random)
{
    public const int LongLength = 100_000;

    public static readonly string LongAscii = new('x', LongLength);

    /// <summary>100k chars of emoji, right-to-left text and combining marks (the emoji count 2 chars each).</summary>
    public static readonly string LongUnicode = string.Concat(Enumerable.Repeat("🙂שׁ\u202Eé", LongLength / 5));

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Numbers that do not fit, are negative, zero, fractional, or are not JSON numbers at all.</summary>
    public static readonly string[] Numbers =
    [
        "1e309", "-1e309", "99999999999999999999", "2147483648", "-2147483649", "9223372036854775808", "-1", "0", "1.5",
        "-0.0001", "1e-400", "0.0", "-0", "1E2", "0x10", "NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "1e", "--1",
    ];

    /// <summary>Values of the wrong JSON type for any field.</summary>
    public static readonly string[] WrongTypes =
    [
        "null", "true", "false", "[]", "[1,2]", "[null]", "{}", "{\"a\":1}", "[[[[]]]]", "\"\"", "\"1\"", "\"1e309\"",
        "\"-1\"", "\"true\"", "\"null\"",
    ];

    /// <summary>Strings (raw JSON) that stress storage, logs and parsers: long, unicode, NUL, lone surrogates, injection.</summary>
    public static readonly string[] Strings =
    [
        Json(" "), Json("\t\n"), Json(LongAscii), Json(LongUnicode), Json("🙂"), Json("שלום עולם"), Json("\u202Egnp.exe"),
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"a\\ud83d\"", "\"\\udfff\\ud800\"", "\"\\uFFFF\"",
        Json("../../etc/passwd"), Json("..\\..\\windows\\win.ini"), Json("%00"), Json("' OR 1=1 --"), Json("\"}]"),
        Json("<script>alert(1)</script>"), Json("pending"), Json("Stripe"), Json("usd"), Json("fcfs"), Json("ENFT"),
        Json("STRIPE,STRIPE"), Json("0x"), Json("a@b@c"), Json(new string('@', 300)),
    ];

    /// <summary>Bodies that are not one well-formed JSON document.</summary>
    public static readonly string[] MalformedBodies =
    [
        "", " ", "{", "}", "[", "{]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{'a':1}", "{a:1}", "nul", "tru", "\"unterminated",
        "{\"a\":1}{\"b\":2}", "{\"a\":1} trailing", "/* comment */ {}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\t\"}",
        "\u00ef\u00bb\u00bf{}", new string('[', 2000) + new string(']', 2000), DeepObject(100), "[]", "null", "0", "\"text\"",
        "true", "[{}]",
    ];

    public static string Json(string value) => JsonSerializer.Serialize(value, Unescaped);

    public static string DeepObject(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>All fixed bad values for one field, plus <paramref name="extra"/> random ones.</summary>
    public IEnumerable<string> ForField(int extra = 3)
    {
        foreach (var value in Numbers.Concat(WrongTypes).Concat(Strings))
            yield return value;
        for (var i = 0; i < extra; i++)
            yield return Random();
    }

    /// <summary>One random bad JSON value: a random unicode string, a random huge number, or a random nested shape.</summary>
    public string Random() => random.Next(4) switch
    {
        0 => RandomJsonString(random.Next(1, 64)),
        1 => (random.Next(2) == 0 ? "-" : "") + string.Concat(Enumerable.Range(0, random.Next(19, 40)).Select(_ => (char)('0' + random.Next(10)))),
        2 => $"{random.NextDouble() * 1000:R}e{random.Next(300, 400)}",
        _ => new[] { "[", "{\"k\":" }[random.Next(2)] + RandomJsonString(8) + new[] { "]", "}" }[random.Next(2)],
    };

    /// <summary>A JSON string of random code points, any of which may be a lone surrogate or a control character escaped.</summary>
    public string RandomJsonString(int length)
    {
        var text = new StringBuilder("\"");
        for (var i = 0; i < length; i++)
        {
            var choice = random.Next(6);
            if (choice == 0)
                text.Append($"\\u{random.Next(0xD800, 0xE000):x4}"); // lone surrogate, escaped
            else if (choice == 1)
                text.Append($"\\u{random.Next(0, 0x20):x4}"); // control character, NUL included
            else if (choice == 2)
                text.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1F6FF)));
            else
                text.Append((char)random.Next(0x21, 0x7E) switch { '"' or '\\' => 'q', var c => c });
        }
        return text.Append('"').ToString();
    }

    /// <summary>Path segments and query values, already percent-encoded: traversal, NUL, invalid UTF-8, long, unicode.</summary>
    public static readonly string[] RawSegments =
    [
        "%2E%2E", "..%2F..%2Fetc%2Fpasswd", "..%5C..%5Cwindows", "%2e%2e%2f%2e%2e%2fhealth%2flive", "%FF%FE", "%ED%A0%80",
        "%F0%9F%99%82", "%E2%80%AE%D7%A9", "%20", "%25", "%3Cscript%3E", "'%20OR%201%3D1", "null", "undefined", "-1", "0",
        "99999999999999999999", "1e309", Escape(LongAscii), Escape(new string('é', 20_000)), "a%2Fb", "%", "%zz", "%C0%AF",
    ];

    /// <summary>NUL, percent-encoded: the app refuses it in a query value; in a path, Kestrel refuses it first.</summary>
    public static readonly string[] NulSegments = ["%00", "a%00b", "%00%00%00"];

    /// <summary>Percent-encodes UTF-8 (a lone surrogate becomes U+FFFD, as any encoder would send it).</summary>
    public static string Escape(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                text.Append((char)b);
            else
                text.Append('%').Append(b.ToString("X2"));
        }
        return text.ToString();
    }

    public T Pick<T>(IReadOnlyList<T> values) => values[random.Next(values.Count)];

    public int Next(int max) => random.Next(max);

    public byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
