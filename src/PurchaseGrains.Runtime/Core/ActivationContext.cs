using PurchaseGrains.Runtime.Reminders;

namespace PurchaseGrains.Runtime.Core;

internal sealed record ActivationContext(
    GrainId GrainId,
    IGrainFactory GrainFactory,
    TimeProvider TimeProvider,
    ReminderRegistry Reminders);
