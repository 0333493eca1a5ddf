using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class IntentBucketTests
{
    [Fact]
    public void ABucketKeyRoundTrips()
    {
        var bucket = new IntentBucket(IntentStatus.Confirmed, PaymentProvider.MintVoucher, FulfillmentStatus.Assigned, FulfillmentMethod.Voucher);
        Assert.Equal("CONFIRMED|MINT_VOUCHER|ASSIGNED|VOUCHER", bucket.Key);
        Assert.Equal(bucket, IntentBucket.Parse(bucket.Key));
        Assert.Null(IntentBucket.Parse("CONFIRMED|PAYPAL|ASSIGNED|VOUCHER"));
    }

    [Fact]
    public void MovingAnIntentChangesTwoCountsAndRepeatingItChangesNone()
    {
        var counts = new Dictionary<string, long>();
        Assert.Equal(["a"], BucketCounts.Move(counts, null, "a"));
        Assert.Equal(["a", "b"], BucketCounts.Move(counts, "a", "b"));
        Assert.Empty(BucketCounts.Move(counts, "b", "b"));
        Assert.Equal(["b"], BucketCounts.Move(counts, "b", null));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 0 }, counts);
    }
}
