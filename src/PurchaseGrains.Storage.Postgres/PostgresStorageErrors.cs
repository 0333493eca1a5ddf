using System.Net.Sockets;
using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

public static class PostgresStorageErrors
{
    /// <summary>
    /// True when the failure says the database is unreachable or going away (network, timeout, shutdown,
    /// connection exceptions, overload) rather than that the request was wrong: worth a 503 and a retry.
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException { SqlState: var state } when IsUnavailable(state):
                case NpgsqlException { IsTransient: true }:
                case SocketException:
                    return true;
            }
        }

        return false;
    }

    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
}
