using Orleans.Runtime;
using Orleans.Storage;

namespace PurchaseGrains.Silo.Http;

/// <summary>
/// A grain call that failed because its grain was moving between silos, as when a silo leaves the cluster on SIGTERM:
/// the call was in flight to the leaving silo when it marked itself dead (<see cref="SiloUnavailableException"/>), the
/// leaving silo refused it (<see cref="OrleansMessageRejectionException"/>), or a write met the state of an activation
/// started elsewhere meanwhile (<see cref="InconsistentStateException"/>; the stale activation deactivates itself).
/// The same call a moment later reaches the grain's new activation. Whether the call ran is not always known (a call
/// the leaving silo forwarded may have run on the new silo), so only what is safe to run again is retried.
/// </summary>
public static partial class GrainHandover
{
    /// <summary>About 1.9 s in all: a leaving silo is marked dead, and its grains placed elsewhere, well within it.</summary>
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300),
        TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000)];

    public static bool IsHandover(Exception exception) =>
        exception is SiloUnavailableException or OrleansMessageRejectionException or InconsistentStateException;

    /// <summary>Runs <paramref name="call"/>, and again after a short pause while it fails with a handover.</summary>
    /// <param name="mayRetry">Asked with each handover before its retry: false when the run can no longer be repeated (an
    /// answer already sent); it also resets what the run used up (a request body stream, say).</param>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, Func<Exception, bool> mayRetry, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (IsHandover(exception) && retry < Pauses.Length
                && !cancellationToken.IsCancellationRequested && mayRetry(exception))
            {
                await Task.Delay(Pauses[retry], cancellationToken);
            }
        }
    }

    /// <summary>Logged for each retry: how often the handover of a leaving silo's grains met a request.</summary>
    public static void LogRetry(HttpContext context, Exception exception)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GrainHandover).FullName!);
        LogRetry(logger, context.Request.Method, context.Request.Path, exception.GetType().Name, exception.Message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: a grain call met a handover ({Failure}: {Reason}); running it again")]
    private static partial void LogRetry(ILogger logger, string method, string path, string failure, string reason);
}
