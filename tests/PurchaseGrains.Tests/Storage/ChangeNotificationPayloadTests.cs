using System.Text;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Storage.Postgres;

namespace PurchaseGrains.Tests.Storage;

public sealed class ChangeNotificationPayloadTests
{
    [Fact]
    public void ABatchIsSplitIntoPayloadsPostgresAcceptsAndParsesBackWhole()
    {
        var grains = Enumerable.Range(0, 500).Select(i => new GrainId("intent", $"{i}-{new string('é', 40)}")).ToList();

        var payloads = ChangeNotificationPayload.Format("node-a", grains, grain => Assert.Fail($"{grain} was refused"));

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, payload => Assert.InRange(Encoding.UTF8.GetByteCount(payload), 1, ChangeNotificationPayload.MaxBytes));
        var parsed = payloads.SelectMany(ChangeNotificationPayload.Parse).ToList();
        Assert.Equal(grains.Select(grain => new GrainChange(grain, "node-a")), parsed);
    }

    [Fact]
    public void GrainsThatCannotBeALineAreReportedNotSent()
    {
        var tooLong = new GrainId("intent", new string('x', ChangeNotificationPayload.MaxBytes));
        var withLineBreak = new GrainId("intent", "a\nb");
        var fine = new GrainId("intent", "ok");
        var refused = new List<GrainId>();

        var payloads = ChangeNotificationPayload.Format("node-a", [tooLong, withLineBreak, fine], refused.Add);

        Assert.Equal([tooLong, withLineBreak], refused);
        Assert.Equal(["node-a\tintent/ok"], payloads);
    }
}
