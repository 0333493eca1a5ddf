namespace PurchaseGrains.Storage.Sqlite;

/// <summary>Schema steps in order; step N is recorded as version N in <c>schema_version</c>. Only ever append.</summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Steps =
    [
        """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            state_name TEXT NOT NULL,
            payload TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (grain_type, grain_key, state_name)
        );

        CREATE TABLE IF NOT EXISTS grain_reminders (
            grain_type TEXT NOT NULL,
            grain_key TEXT NOT NULL,
            name TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            period_ms INTEGER NOT NULL,
            first_tick_at INTEGER NOT NULL,
            version INTEGER NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 0,
            trace_parent TEXT NULL,
            lease_owner TEXT NULL,
            lease_until INTEGER NULL,
            PRIMARY KEY (grain_type, grain_key, name)
        );

        CREATE INDEX IF NOT EXISTS grain_reminders_due_at ON grain_reminders (due_at);
        """,

        // The home-made grain layer's reminder table; Orleans keeps its reminders in orleans_reminders.
        "DROP TABLE IF EXISTS grain_reminders;",
    ];
}
