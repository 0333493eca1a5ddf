namespace PurchaseGrains.Storage.Postgres;

/// <summary>Schema steps in order; step N is recorded as version N in <c>schema_version</c>. Only ever append.</summary>
internal static class PostgresSchema
{
    public static readonly IReadOnlyList<string> Steps =
    [
        // fillfactor leaves room on each page so a version bump can be a HOT update (no index churn).
        """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type text NOT NULL,
            grain_key text NOT NULL,
            state_name text NOT NULL,
            payload jsonb NOT NULL,
            version bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (grain_type, grain_key, state_name)
        ) WITH (fillfactor = 80);

        CREATE TABLE IF NOT EXISTS grain_reminders (
            grain_type text NOT NULL,
            grain_key text NOT NULL,
            name text NOT NULL,
            due_at bigint NOT NULL,
            period_ms bigint NOT NULL,
            first_tick_at bigint NOT NULL,
            version bigint NOT NULL,
            attempt integer NOT NULL DEFAULT 0,
            trace_parent text NULL,
            lease_owner text NULL,
            lease_until bigint NULL,
            PRIMARY KEY (grain_type, grain_key, name)
        ) WITH (fillfactor = 80);

        CREATE INDEX IF NOT EXISTS grain_reminders_due_at ON grain_reminders (due_at);
        """,

        // The home-made grain layer's reminder table; Orleans keeps its reminders in orleans_reminders.
        "DROP TABLE IF EXISTS grain_reminders;",
    ];
}
