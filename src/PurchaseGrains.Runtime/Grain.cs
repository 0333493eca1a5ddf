using PurchaseGrains.Runtime.Core;

namespace PurchaseGrains.Runtime;

/// <summary>
/// Base class of grain implementations. One activation per grain per node runs one call at a time
/// (non-reentrant): never call back into a grain that is waiting on you.
/// </summary>
public abstract class Grain
{
    private ActivationContext? _context;

    internal ActivationContext Context
    {
        get => _context ?? throw new InvalidOperationException("The grain is not activated yet; use OnActivateAsync, not the constructor.");
        set => _context = value;
    }

    public GrainId GrainId => Context.GrainId;

    protected string PrimaryKey => Context.GrainId.Key;

    protected IGrainFactory GrainFactory => Context.GrainFactory;

    protected TimeProvider TimeProvider => Context.TimeProvider;

    /// <summary>
    /// True when the runtime read this grain's state from storage just before the current turn (a new activation,
    /// or a reload after another node's change), so a turn that wants fresh state need not read it again.
    /// </summary>
    protected bool StateReadForThisTurn => Context.StateReadForThisTurn;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Durable reminder: first tick after <paramref name="dueTime"/>, then every <paramref name="period"/>
    /// (<see cref="TimeSpan.Zero"/> for a one-shot). Re-registering replaces the schedule.
    /// </summary>
    protected Task RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Context.Reminders.RegisterAsync(GrainId, reminderName, dueTime, period, CancellationToken.None);

    protected Task UnregisterReminder(string reminderName) =>
        Context.Reminders.UnregisterAsync(GrainId, reminderName, CancellationToken.None);
}
