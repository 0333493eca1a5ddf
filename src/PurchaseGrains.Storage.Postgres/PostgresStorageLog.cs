using Microsoft.Extensions.Logging;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Storage.Postgres;

internal static partial class PostgresStorageLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain change {Role} connection failed; reconnecting in {RetryDelay}")]
    public static partial void ChangeFeedConnectionFailed(ILogger logger, Exception exception, string role, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain change {Role} connection restored after {Failures} failed attempts")]
    public static partial void ChangeFeedConnectionRestored(ILogger logger, string role, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Change of {GrainId} not published: its id does not fit a NOTIFY payload line")]
    public static partial void ChangeNotPublishable(ILogger logger, GrainId grainId);
}
