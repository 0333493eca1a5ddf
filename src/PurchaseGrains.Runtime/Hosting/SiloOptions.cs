namespace PurchaseGrains.Runtime.Hosting;

public sealed class SiloOptions
{
    /// <summary>Unique per running process; used as reminder lease owner and change-feed origin.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Activations idle this long are collected.</summary>
    public TimeSpan ActivationIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a turn that lost a version race is re-run on fresh state.</summary>
    public int MaxTurnRetries { get; set; } = 8;
}

public sealed class ReminderOptions
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);
    public int BatchSize { get; set; } = 1000;
    public int MaxConcurrentTicks { get; set; } = 1024;
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(1);
}
