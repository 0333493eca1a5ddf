using System.Globalization;

namespace PurchaseGrains.Benchmarks;

public static class Report
{
    public static void Line(string suite, string what, double value, string unit, string? note = null) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{suite,-10} {what,-52} {value,12:N1} {unit,-10} {note}"));

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
