using Npgsql;
using PurchaseGrains.Storage.Postgres;

namespace PurchaseGrains.Tests.Storage;

public sealed class StatementGroupsTests
{
    private static readonly WriteShape Orders = new FakeShape("orders");
    private static readonly WriteShape Reminders = new FakeShape("reminders");

    [Fact]
    public void WritesOfOneShapeShareAStatementInArrivalOrder()
    {
        var writes = new[] { Write("a", Orders), Write("x", Reminders), Write("b", Orders), Write("y", Reminders) };

        var groups = StatementGroups.Plan(writes);

        Assert.Equal([("orders", "a,b"), ("reminders", "x,y")], groups.Select(Describe));
    }

    [Fact]
    public void ASecondWriteToTheSameRowGoesToALaterStatement()
    {
        var writes = new[] { Write("a", Orders), Write("b", Orders), Write("a", Orders), Write("c", Orders), Write("a", Orders) };

        var groups = StatementGroups.Plan(writes);

        // Each row's writes run in the order they came, one per statement.
        Assert.Equal([("orders", "a,b"), ("orders", "a,c"), ("orders", "a")], groups.Select(Describe));
        Assert.Equal(writes, groups.SelectMany(g => g.Writes).OrderBy(w => Array.IndexOf(writes, w)));
    }

    private static (string, string) Describe(StatementGroup group) =>
        (group.Shape.Key, string.Join(",", group.Writes.Select(w => w.RowKey)));

    private static FakeWrite Write(string row, WriteShape shape) => new(row, shape);

    private sealed class FakeWrite(string row, WriteShape shape) : CombinedWrite(row)
    {
        public override WriteShape Shape { get; } = shape;
    }

    private sealed class FakeShape(string key) : WriteShape(key)
    {
        public override NpgsqlBatchCommand Build(IReadOnlyList<CombinedWrite> writes) => throw new NotSupportedException();
    }
}
