namespace PurchaseGrains.Runtime;

/// <summary>Identity of a grain: its registered type name and a string key, e.g. <c>session/550e8400-…</c>.</summary>
public readonly record struct GrainId(string Type, string Key)
{
    public override string ToString() => $"{Type}/{Key}";

    public static bool TryParse(string value, out GrainId grainId)
    {
        var slash = value.IndexOf('/');
        grainId = slash > 0 ? new GrainId(value[..slash], value[(slash + 1)..]) : default;
        return slash > 0;
    }
}
