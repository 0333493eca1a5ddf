using Microsoft.Extensions.Time.Testing;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Tests.Storage;

public sealed class MintedStateRowsTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void AMarkIsTakenOnceWithinItsLifetime()
    {
        var minted = new MintedStateRows(_clock);
        var id = new StateRowId("purchase_intent", "a");
        minted.Add(id);

        Assert.True(minted.TryTake(id));
        Assert.False(minted.TryTake(id));
    }

    [Fact]
    public void AMarkPastItsLifetimeIsNotTaken()
    {
        var minted = new MintedStateRows(_clock);
        var id = new StateRowId("purchase_intent", "a");
        minted.Add(id);

        _clock.Advance(MintedStateRows.Lifetime);

        Assert.False(minted.TryTake(id));
    }

    [Fact]
    public void MarksNeverTakenAreSweptOnceTheyLapse()
    {
        var minted = new MintedStateRows(_clock);
        for (var i = 0; i < 20_000; i++)
            minted.Add(new StateRowId("purchase_intent", $"left-{i}"));

        _clock.Advance(MintedStateRows.Lifetime);
        minted.Add(new StateRowId("purchase_intent", "fresh"));

        Assert.Equal(1, minted.Count);
        Assert.True(minted.TryTake(new StateRowId("purchase_intent", "fresh")));
    }
}
