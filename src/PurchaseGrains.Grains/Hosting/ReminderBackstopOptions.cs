namespace PurchaseGrains.Grains.Hosting;

/// <summary>
/// Options under <c>Reminders:</c>. A grain with work in flight keeps a grain timer for exact times while it is
/// active, and a reminder of this period as the durable backstop that reactivates it after a crash. Orleans refuses a
/// period below <c>ReminderOptions.MinimumReminderPeriod</c> (<c>Reminders:MinimumPeriod</c>, one minute by default).
/// </summary>
public sealed class ReminderBackstopOptions
{
    public TimeSpan BackstopPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
