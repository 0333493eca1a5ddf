namespace PurchaseGrains.Runtime.Core;

/// <summary>
/// One grain's in-memory presence on this node. Turns run one at a time under <see cref="_turn"/>.
/// The row in storage is the truth: a stale activation reloads its state before its next turn.
/// </summary>
internal sealed class Activation(GrainId grainId, Func<GrainId, (Grain Grain, IReadOnlyList<IReloadableState> States)> create)
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private Grain? _grain;
    private IReadOnlyList<IReloadableState> _states = [];
    private volatile bool _stale;

    public GrainId GrainId { get; } = grainId;

    public long LastUsedTimestamp { get; private set; } = Environment.TickCount64;

    /// <summary>Set once collected; a caller that raced with collection goes back to the directory.</summary>
    public bool IsDeactivated { get; private set; }

    public bool IsActivated => _grain is not null;

    /// <summary>Another node changed this grain: reload state before the next turn.</summary>
    public void MarkStale() => _stale = true;

    public Task EnterTurnAsync(CancellationToken cancellationToken) => _turn.WaitAsync(cancellationToken);

    public bool TryEnterTurn() => _turn.Wait(0);

    public void ExitTurn()
    {
        LastUsedTimestamp = Environment.TickCount64;
        _turn.Release();
    }

    /// <summary>
    /// Must be called inside a turn. Creates the grain (from empty state, unread, when <paramref name="assumeNew"/>),
    /// or reloads its state when stale.
    /// </summary>
    public async Task<Grain> EnsureReadyAsync(bool assumeNew, CancellationToken cancellationToken)
    {
        if (_grain is null)
        {
            _stale = false;
            var (grain, states) = create(GrainId);
            if (!assumeNew)
            {
                foreach (var state in states)
                    await state.ReadStateAsync(cancellationToken);
            }
            await grain.OnActivateAsync(cancellationToken);
            (_grain, _states) = (grain, states);
            grain.Context.StateReadForThisTurn = true;
        }
        else if (_stale)
        {
            _stale = false;
            foreach (var state in _states)
                await state.ReadStateAsync(cancellationToken);
            _grain.Context.StateReadForThisTurn = true;
        }
        else
        {
            _grain.Context.StateReadForThisTurn = false;
        }
        return _grain;
    }

    /// <summary>Drops the grain instance so the next turn starts from freshly read state (after a failed turn).</summary>
    public void Reset() => _grain = null;

    /// <summary>Must be called inside a turn.</summary>
    public async Task DeactivateAsync(CancellationToken cancellationToken)
    {
        IsDeactivated = true;
        if (_grain is { } grain)
        {
            _grain = null;
            await grain.OnDeactivateAsync(cancellationToken);
        }
    }
}
