using System.Collections.Concurrent;

namespace PurchaseGrains.Storage;

/// <summary>
/// Grains whose keys this process has just minted (a new purchase intent's UUIDv7, the PaymentIntent id derived from
/// it), so no state row can exist for them yet: their activation may skip the read. A wrong guess is safe. The state
/// then looks absent, and the first write, which expects no row, meets the stored one as a conflict: the call fails and
/// the grain deactivates, nothing is overwritten. A mark is taken by the first read and lapses after
/// <see cref="Lifetime"/>, in case the activation happened on another silo.
/// </summary>
public sealed class MintedStateRows(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<StateRowId, long> _minted = new();

    private long _sweptAt;

    public void Add(StateRowId id)
    {
        var now = time.GetTimestamp();
        // Marks are normally taken at once; those left (activations elsewhere) go in a sweep at most once a lifetime,
        // so a burst of them never makes every mark pay for a scan.
        if (_minted.Count >= SweepAbove && time.GetElapsedTime(Interlocked.Read(ref _sweptAt), now) >= Lifetime)
        {
            Interlocked.Exchange(ref _sweptAt, now);
            Sweep();
        }
        _minted[id] = now;
    }

    /// <summary>Marks held now, taken or not (for tests of the sweep).</summary>
    internal int Count => _minted.Count;

    /// <summary>True once for a row marked less than <see cref="Lifetime"/> ago; the mark is gone after.</summary>
    public bool TryTake(StateRowId id) =>
        _minted.TryRemove(id, out var markedAt) && time.GetElapsedTime(markedAt) < Lifetime;

    private void Sweep()
    {
        foreach (var (id, markedAt) in _minted)
        {
            if (time.GetElapsedTime(markedAt) >= Lifetime)
                _minted.TryRemove(id, out _);
        }
    }
}
