using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace PurchaseGrains.Storage.Sqlite;

/// <summary>
/// One SQLite file. Reads use pooled connections; every write goes through one connection behind a gate shared by
/// everything in the process that writes to the same file, because SQLite admits a single writer and queueing here
/// is far cheaper than its busy handler, which sleeps on (and so starves) a thread-pool thread.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable, IDisposable
{
    public const string DefaultConnectionString = "Data Source=data/purchasegrains.db";
    private const int BusyTimeoutMilliseconds = 5000;

    private static readonly Lazy<bool> NativeLibraryLoaded = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGatesByFile = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate;
    private SqliteConnection? _writer;

    public SqliteDatabase(string connectionString)
    {
        _ = NativeLibraryLoaded.Value;
        _connectionString = connectionString;
        var file = FileOf(connectionString);
        if (file is not null)
        {
            CreateFolderOf(file);
        }

        _writeGate = WriteGatesByFile.GetOrAdd(file ?? connectionString, _ => new SemaphoreSlim(1, 1));
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="write"/> on the writer connection, one write at a time.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            _writer ??= await OpenWriterAsync(cancellationToken);
            return await write(_writer);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task WriteAsync(Func<SqliteConnection, Task> write, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            await write(connection);
            return true;
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }

            using var pooled = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The database file's full path, or null for an in-memory database.</summary>
    private static string? FileOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        var inMemory = builder.Mode == SqliteOpenMode.Memory || file is "" or ":memory:" || file.StartsWith("file:", StringComparison.Ordinal);
        return inMemory ? null : Path.GetFullPath(file);
    }

    private static void CreateFolderOf(string file)
    {
        var folder = Path.GetDirectoryName(file);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
