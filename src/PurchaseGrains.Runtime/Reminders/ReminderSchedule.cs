namespace PurchaseGrains.Runtime.Reminders;

/// <summary>Pure scheduling rules for reminder ticks.</summary>
public static class ReminderSchedule
{
    /// <summary>The first period boundary after <paramref name="now"/>, so a late tick does not fire a burst of catch-ups; null for one-shots.</summary>
    public static DateTimeOffset? NextDueAt(DateTimeOffset dueAt, TimeSpan period, DateTimeOffset now)
    {
        if (period <= TimeSpan.Zero)
            return null;
        if (dueAt > now)
            return dueAt + period;
        var missed = (now - dueAt).Ticks / period.Ticks;
        return dueAt + TimeSpan.FromTicks(period.Ticks * (missed + 1));
    }

    /// <summary>Exponential backoff for a failing handler: 1 s, 2 s, 4 s … capped.</summary>
    public static TimeSpan RetryBackoff(int attempt, TimeSpan cap)
    {
        var seconds = Math.Pow(2, Math.Clamp(attempt, 0, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, cap.TotalSeconds));
    }
}
