using Orleans;
using Orleans.Runtime;

namespace PurchaseGrains.Grains.Hosting;

public static class StateWrites
{
    /// <summary>
    /// Writes the state; when the write fails (storage down, a version conflict) the activation is deactivated and the
    /// error rethrown. The state in memory was already changed for the write, so it may now say what storage does not
    /// (a card "sold" that storage still holds reserved); the next call then starts from what storage holds.
    /// </summary>
    public static async Task WriteOrDeactivateAsync<TState>(this IPersistentState<TState> state, Grain grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception exception)
        {
            grain.DeactivateAfterFailedWrite(exception);
            throw;
        }
    }

    /// <summary>
    /// Ends the activation after a write, or a step that belongs to it, failed: the state in memory was already
    /// changed for the write, so the next call must start from what storage holds.
    /// </summary>
    public static void DeactivateAfterFailedWrite(this Grain grain, Exception exception) =>
        grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, exception,
            "A state write failed: the state in memory may differ from storage."));
}
