namespace PurchaseGrains.Runtime.Storage;

/// <summary>
/// Versions for reminder registrations. Random rather than counted, so that a reminder deleted and registered again
/// never gets back a version an in-flight tick still holds (that tick would otherwise complete the new reminder).
/// </summary>
public static class ReminderVersions
{
    public static long Next() => Random.Shared.NextInt64(1, long.MaxValue);
}
