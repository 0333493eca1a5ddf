using System.Text.Json;

namespace PurchaseGrains.Grains;

/// <summary>
/// Text the service accepts from a client: no NUL character (PostgreSQL cannot store one) and no unpaired UTF-16
/// surrogate (a JSON escape like <c>"\ud800"</c> names no character). Anything else is refused as bad input.
/// </summary>
public static class WireText
{
    public static bool IsValid(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
                return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                    return false;
                i++;
            }
        }
        return true;
    }

    /// <summary>The element's string, or false when it is not valid text (reading a lone surrogate escape throws).</summary>
    public static bool TryGetString(JsonElement element, out string? text)
    {
        text = null;
        try
        {
            text = element.GetString();
            return text is null || IsValid(text);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>True when every property name and string in the element is valid text.</summary>
    public static bool IsValid(JsonElement element)
    {
        try
        {
            return AllValid(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool AllValid(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => IsValid(element.GetString()!),
        JsonValueKind.Array => element.EnumerateArray().All(AllValid),
        JsonValueKind.Object => element.EnumerateObject().All(p => IsValid(p.Name) && AllValid(p.Value)),
        _ => true,
    };
}
