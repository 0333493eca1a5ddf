using System.Text;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// A NOTIFY payload is lines of <c>originNode\tgrainType/grainKey</c>. PostgreSQL caps a payload below 8000 bytes,
/// so a batch is split into payloads of at most <see cref="MaxBytes"/>.
/// </summary>
internal static class ChangeNotificationPayload
{
    public const int MaxBytes = 7900;

    /// <param name="onUnrepresentable">Told about a grain whose line is too long or contains a line break.</param>
    public static List<string> Format(string originNodeId, IEnumerable<GrainId> grainIds, Action<GrainId> onUnrepresentable)
    {
        var payloads = new List<string>();
        var current = new StringBuilder();
        var currentBytes = 0;
        foreach (var grainId in grainIds)
        {
            var line = $"{originNodeId}\t{grainId}";
            var lineBytes = Encoding.UTF8.GetByteCount(line);
            if (lineBytes > MaxBytes || line.Contains('\n', StringComparison.Ordinal))
            {
                onUnrepresentable(grainId);
                continue;
            }

            if (current.Length > 0 && currentBytes + 1 + lineBytes > MaxBytes)
            {
                payloads.Add(current.ToString());
                current.Clear();
                currentBytes = 0;
            }

            if (current.Length > 0)
            {
                current.Append('\n');
                currentBytes++;
            }

            current.Append(line);
            currentBytes += lineBytes;
        }

        if (current.Length > 0)
        {
            payloads.Add(current.ToString());
        }

        return payloads;
    }

    public static IEnumerable<GrainChange> Parse(string payload)
    {
        foreach (var line in payload.Split('\n'))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0 && GrainId.TryParse(line[(tab + 1)..], out var grainId))
            {
                yield return new GrainChange(grainId, line[..tab]);
            }
        }
    }
}
