using System.Diagnostics;

namespace PurchaseGrains.Grains.Hosting;

/// <summary>
/// Spans of timer and reminder ticks. A tick runs outside any request, so it starts a trace of its own, linked to the
/// trace that started the work (its <c>traceparent</c> kept in state): one purchase can be followed from the request
/// that made it to the tick that finished it.
/// </summary>
public static class TickTrace
{
    public static string? CurrentParent() => Activity.Current?.Id;

    public static Activity? Start(string name, string? traceParent)
    {
        var links = traceParent is not null && ActivityContext.TryParse(traceParent, null, out var origin)
            ? new[] { new ActivityLink(origin) }
            : null;
        return GrainDiagnostics.Source.StartActivity(name, ActivityKind.Internal, parentContext: default, links: links);
    }
}
