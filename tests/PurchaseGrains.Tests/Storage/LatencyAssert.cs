namespace PurchaseGrains.Tests.Storage;

public static class LatencyAssert
{
    /// <summary>
    /// The median, not every sample, must beat the budget: on a shared two-core machine one sample can lose the
    /// CPU for hundreds of milliseconds, while a slow mechanism (polling, a cold path per send) fails every sample.
    /// </summary>
    public static void MedianUnder(TimeSpan budget, IReadOnlyList<TimeSpan> samples, string what)
    {
        var sorted = samples.Order().ToList();
        var median = sorted[sorted.Count / 2];
        Assert.True(median < budget,
            $"Median {what} was {median.TotalMilliseconds:F1} ms (samples: {string.Join(", ", samples.Select(sample => $"{sample.TotalMilliseconds:F1}"))} ms).");
    }
}
