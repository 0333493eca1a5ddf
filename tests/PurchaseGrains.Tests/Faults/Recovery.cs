using System.Globalization;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// When every kind of request succeeded again after a fault: for each operation, the end of its first success that
/// started after its last failed attempt (or after the fault, if none failed); the latest of those is the recovery.
/// </summary>
public sealed record Recovery(DateTimeOffset Fault, IReadOnlyDictionary<string, DateTimeOffset> RecoveredAt, IReadOnlyList<string> NeverRecovered)
{
    public TimeSpan Took => RecoveredAt.Count == 0 ? TimeSpan.Zero : RecoveredAt.Values.Max() - Fault;

    public string SlowestOperation => RecoveredAt.Count == 0 ? "-" : RecoveredAt.MaxBy(p => p.Value).Key;

    public static Recovery After(DateTimeOffset fault, IEnumerable<RequestOutcome> attempts)
    {
        var recovered = new Dictionary<string, DateTimeOffset>();
        var never = new List<string>();
        foreach (var operation in attempts.Where(a => a.EndedAt >= fault && !a.Operation.StartsWith("replay:", StringComparison.Ordinal)
                     && a.Operation != "setup").GroupBy(a => a.Operation))
        {
            var lastFailure = operation.Where(a => a.Failed).Select(a => a.StartedAt).DefaultIfEmpty(fault).Max();
            var success = operation.Where(a => !a.Failed && a.StartedAt >= lastFailure).MinBy(a => a.StartedAt);
            if (success is null)
                never.Add(operation.Key);
            else
                recovered[operation.Key] = success.EndedAt;
        }
        return new Recovery(fault, recovered, never);
    }

    public override string ToString() =>
        $"{Took.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (last: {SlowestOperation}); per operation: " +
        string.Join(", ", RecoveredAt.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} {(p.Value - Fault).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s")) +
        (NeverRecovered.Count > 0 ? $"; never: {string.Join(", ", NeverRecovered)}" : "");
}
