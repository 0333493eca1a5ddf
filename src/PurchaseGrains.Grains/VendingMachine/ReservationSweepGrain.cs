using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>
/// Gives a pack's orphaned reservations back to its pool (key: pack id). A session writes itself before it reserves a
/// card, so a card reserved by a session that is over, or that does not exist, is in nobody's hands. One way to get
/// there: a silo frozen mid-claim is declared dead, another silo fails its session and releases what it finds, then the
/// frozen silo wakes and reserves one more card before it learns it is dead. Nobody else wrote that card meanwhile,
/// so no ETag objects. A reminder sweeps every backstop period.
/// </summary>
[Alias("vm.IReservationSweepGrain")]
public interface IReservationSweepGrain : IGrainWithStringKey
{
    /// <summary>Schedules the pack's sweep (idempotent).</summary>
    Task Start();

    /// <summary>Releases the orphaned reservations older than one backstop period; answers how many it released.</summary>
    Task<int> SweepNow();
}

[GrainType("vm_reservation_sweep")]
public sealed partial class ReservationSweepGrain(
    CardPool pool,
    IOptions<ReminderBackstopOptions> backstop,
    TimeProvider time,
    ILogger<ReservationSweepGrain> logger) : Grain, IReservationSweepGrain, IRemindable
{
    private const string SweepReminder = "reservation-sweep";
    private const int RowsPerSweep = 500;

    private bool _scheduled;

    private string PackId => this.GetPrimaryKeyString();

    public async Task Start()
    {
        if (_scheduled)
            return;
        var period = backstop.Value.BackstopPeriod;
        await this.RegisterOrUpdateReminder(SweepReminder, period, period);
        _scheduled = true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await SweepNow();

    public async Task<int> SweepNow()
    {
        var cutoff = time.GetUtcNow() - backstop.Value.BackstopPeriod;
        var released = 0;
        foreach (var session in (await pool.ReservedBeforeAsync(PackId, cutoff, RowsPerSweep, CancellationToken.None)).GroupBy(r => r.SessionId))
        {
            if (!await GrainFactory.GetGrain<IPurchaseSessionGrain>(session.Key).HasFinished())
                continue;
            foreach (var reservation in session)
            {
                await GrainFactory.GetGrain<ICardGrain>(reservation.CardId).Release(session.Key);
                LogReleased(reservation.CardId, session.Key, PackId);
                released++;
            }
        }
        return released;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card {CardId} of pack {PackId} was left reserved by session {SessionId}, which is over; released it to the pool")]
    private partial void LogReleased(string cardId, string sessionId, string packId);
}
