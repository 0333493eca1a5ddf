using PurchaseGrains.Runtime.Reminders;

namespace PurchaseGrains.Runtime.Core;

internal sealed record ActivationContext(
    GrainId GrainId,
    IGrainFactory GrainFactory,
    TimeProvider TimeProvider,
    ReminderRegistry Reminders)
{
    /// <summary>Set at the start of each turn: the grain's states were read from storage just before it.</summary>
    public bool StateReadForThisTurn { get; set; }
}
