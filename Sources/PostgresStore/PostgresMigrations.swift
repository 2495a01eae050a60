/// The PostgreSQL store's schema, as frozen migrations in PostgreSQL's dialect: a migration once
/// released is never edited; a change is a new one at the end. `PostgresIndex.migrate()` runs
/// the ones a store has not had, each in its transaction, under an advisory lock so that several
/// workers and servers starting together migrate once.
enum PostgresMigrations {
    struct Migration {
        let identifier: String
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(identifier: "v1", statements: [
            // å/ä/ö folding and trigram prefixes for search (issue 23 part 2) come from contrib.
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            // Media roots by name: two machines that mount the same share at different places
            // agree on a recording's (root, path).
            #"CREATE TABLE media_root (name TEXT PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'), added_at TIMESTAMPTZ NOT NULL DEFAULT now())"#,
            // One row per file under a root, as SQLite's `recording`; the probe as JSON.
            #"CREATE TABLE recording (id BIGSERIAL PRIMARY KEY, media_root TEXT NOT NULL REFERENCES media_root (name), path TEXT NOT NULL, fingerprint TEXT, size BIGINT, mtime DOUBLE PRECISION, state TEXT NOT NULL CHECK (state IN ('ok', 'failed', 'missing')), probe JSONB, error_code TEXT, error_message TEXT, duration DOUBLE PRECISION, link_status TEXT NOT NULL DEFAULT 'unmatched', first_seen TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now(), UNIQUE (media_root, path))"#,
            "CREATE INDEX recording_fingerprint ON recording (fingerprint)",
            // Work as jobs: claimed with FOR UPDATE SKIP LOCKED, held by a lease a heartbeat
            // renews, tried at most max_attempts times.
            #"CREATE TABLE job (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, media_root TEXT REFERENCES media_root (name), payload JSONB NOT NULL, state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')), attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts > 0), worker TEXT, lease_until TIMESTAMPTZ, not_before TIMESTAMPTZ NOT NULL DEFAULT now(), created_at TIMESTAMPTZ NOT NULL DEFAULT now(), finished_at TIMESTAMPTZ)"#,
            // The same work enqueued twice while it waits or runs is one job; once done, the
            // enqueuer decides (from the stored rows) whether it is owed again.
            "CREATE UNIQUE INDEX job_pending ON job (kind, key) WHERE state IN ('queued', 'running')",
            "CREATE INDEX job_waiting ON job (id) WHERE state = 'queued'",
            "CREATE INDEX job_leased ON job (lease_until) WHERE state = 'running'",
            // Every attempt and how it ended, the reason of each failure kept.
            #"CREATE TABLE job_attempt (job_id BIGINT NOT NULL REFERENCES job (id) ON DELETE CASCADE, attempt INTEGER NOT NULL, worker TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ NOT NULL DEFAULT now(), outcome TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'lease expired')), reason TEXT, PRIMARY KEY (job_id, attempt))"#,
            // A commit that changed a row of the catalogue or the queue tells every listener
            // (servers, workers, waiting ingests) once: PostgreSQL delivers notices on commit
            // only and folds duplicates within a transaction. Per row, not per statement: a
            // statement that changes nothing (a claim that found no expired lease) stays quiet.
            """
            CREATE FUNCTION efterhand_notify_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('efterhand_commit', TG_TABLE_NAME);
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER recording_commit AFTER INSERT OR UPDATE OR DELETE ON recording FOR EACH ROW EXECUTE FUNCTION efterhand_notify_commit()",
            "CREATE TRIGGER job_commit AFTER INSERT OR UPDATE OR DELETE ON job FOR EACH ROW EXECUTE FUNCTION efterhand_notify_commit()",
        ]),
    ]
}
