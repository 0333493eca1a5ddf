using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>A pack's definition (key: pack id). Its pool is the set of card grains indexed under its id.</summary>
[Alias("vm.IPackGrain")]
public interface IPackGrain : IGrainWithStringKey
{
    [Orleans.Concurrency.ReadOnly]
    Task<PackDefinition?> Get();

    /// <summary>Creates or replaces the definition; true when it was created.</summary>
    Task<bool> Put(PackDefinition pack);
}

public sealed class PackState : IIndexedState
{
    public PackDefinition? Pack { get; set; }

    public IEnumerable<IndexRow> GetIndexRows(StateRowId grainId)
    {
        if (Pack is null)
            yield break;
        yield return new IndexRow(VmIndexTables.Packs, grainId.Key, new Dictionary<string, object?>
        {
            ["platform"] = Pack.Platform,
            ["slug"] = Pack.Slug,
            ["updated_at"] = VmIndexTables.Micros(Pack.UpdatedAt),
        });
    }
}

[GrainType("vm_pack")]
public sealed class PackGrain(
    [PersistentState("pack", GrainStores.Main)] IPersistentState<PackState> state,
    TimeProvider time) : Grain, IPackGrain
{
    public Task<PackDefinition?> Get() => Task.FromResult(state.State.Pack);

    public async Task<bool> Put(PackDefinition pack)
    {
        var created = state.State.Pack is null;
        state.State.Pack = pack with { Id = this.GetPrimaryKeyString(), UpdatedAt = time.GetUtcNow() };
        await state.WriteOrDeactivateAsync(this);
        await GrainFactory.GetGrain<IReservationSweepGrain>(this.GetPrimaryKeyString()).Start();
        return created;
    }
}

/// <summary>Claims a <c>public_id</c> for one session (key: the code); a taken code makes the caller draw another.</summary>
[Alias("vm.IPublicIdGrain")]
public interface IPublicIdGrain : IGrainWithStringKey
{
    Task<bool> Claim(string sessionId);
}

public sealed class PublicIdState
{
    public string SessionId { get; set; } = "";
}

[GrainType("vm_public_id")]
public sealed class PublicIdGrain(
    [PersistentState("public_id", GrainStores.Main)] IPersistentState<PublicIdState> state) : Grain, IPublicIdGrain
{
    public async Task<bool> Claim(string sessionId)
    {
        if (state.RecordExists)
            return state.State.SessionId == sessionId;
        state.State.SessionId = sessionId;
        await state.WriteOrDeactivateAsync(this);
        return true;
    }
}
