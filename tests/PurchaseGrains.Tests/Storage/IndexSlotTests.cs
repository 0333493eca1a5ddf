using PurchaseGrains.Storage;
using PurchaseGrains.Storage.Postgres;

namespace PurchaseGrains.Tests.Storage;

/// <summary>A row's slot is found by the signature its layout spells, the same one the slot itself carries.</summary>
public sealed class IndexSlotTests
{
    [Fact]
    public void RowsOfOneLayoutShareOneSlotWhoseSignatureNamesTableColumnsAndKinds()
    {
        var first = IndexSlot.Of(Row("slot_test", ("name", "a"), ("count", 1L), ("ratio", 0.5), ("gone", null)));
        var second = IndexSlot.Of(Row("slot_test", ("name", "b"), ("count", 2L), ("ratio", 1.5), ("gone", null)));
        var otherKinds = IndexSlot.Of(Row("slot_test", ("name", "c"), ("count", "3"), ("ratio", 1.5), ("gone", null)));

        Assert.Equal("slot_test:name=0,count=1,ratio=2,gone=3", first.Signature);
        Assert.Same(first, second);
        Assert.NotEqual(first, otherKinds);
        Assert.Equal("slot_test:name=0,count=0,ratio=2,gone=3", otherKinds.Signature);
    }

    [Fact]
    public void ARowWithoutColumnsHasTheTableAloneAsItsSignature() =>
        Assert.Equal("slot_test_empty:", IndexSlot.Of(Row("slot_test_empty")).Signature);

    private static IndexRow Row(string table, params (string Column, object? Value)[] columns) =>
        new(table, "key", columns.ToDictionary(c => c.Column, c => c.Value));
}
