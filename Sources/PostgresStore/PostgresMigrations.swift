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
        // The catalogue (issue 23 part 1): what `efterhand gather` copies from a municipality's
        // SQLite index, and what servers render the feed and search from. Sessions, links and
        // probes keep Swift's own JSON of them (the types are Codable); the columns beside them
        // are the ones queries filter on.
        Migration(identifier: "v2", statements: [
            #"CREATE TABLE conference (id INTEGER PRIMARY KEY CHECK (id = 1), document JSONB NOT NULL, time_zone TEXT NOT NULL)"#,
            #"CREATE TABLE session (guid TEXT PRIMARY KEY, document JSONB NOT NULL, title TEXT NOT NULL, start DOUBLE PRECISION NOT NULL, room TEXT, language TEXT, do_not_record BOOLEAN NOT NULL, in_programme BOOLEAN NOT NULL DEFAULT true)"#,
            "ALTER TABLE recording ADD COLUMN recording_start DOUBLE PRECISION, ADD COLUMN recording_start_source TEXT, ADD COLUMN duplicate_of BIGINT",
            #"CREATE TABLE link (recording_id BIGINT NOT NULL REFERENCES recording (id) ON DELETE CASCADE, position INTEGER NOT NULL, session_guid TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('link', 'candidate')), document JSONB NOT NULL, PRIMARY KEY (recording_id, position))"#,
            "CREATE INDEX link_session ON link (session_guid)",
            #"CREATE TABLE segment (id BIGSERIAL PRIMARY KEY, recording_id BIGINT NOT NULL REFERENCES recording (id) ON DELETE CASCADE, session_guid TEXT NOT NULL, position INTEGER NOT NULL, start_seconds DOUBLE PRECISION NOT NULL, end_seconds DOUBLE PRECISION NOT NULL, title TEXT NOT NULL, topics JSONB NOT NULL, source TEXT NOT NULL)"#,
            "CREATE INDEX segment_recording ON segment (recording_id, start_seconds)",
            #"CREATE TABLE cue (id BIGSERIAL PRIMARY KEY, recording_id BIGINT NOT NULL REFERENCES recording (id) ON DELETE CASCADE, language TEXT NOT NULL, start_seconds DOUBLE PRECISION NOT NULL, end_seconds DOUBLE PRECISION NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL)"#,
            "CREATE INDEX cue_recording ON cue (recording_id, start_seconds)",
            #"CREATE TABLE verified_span (id BIGSERIAL PRIMARY KEY, recording_id BIGINT NOT NULL REFERENCES recording (id) ON DELETE CASCADE, language TEXT NOT NULL, start_seconds DOUBLE PRECISION NOT NULL, end_seconds DOUBLE PRECISION NOT NULL)"#,
            #"CREATE TABLE publication (session_guid TEXT PRIMARY KEY, hidden BOOLEAN NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now(), who TEXT NOT NULL)"#,
            #"CREATE TABLE decision (id BIGSERIAL PRIMARY KEY, fingerprint TEXT NOT NULL, session_guid TEXT, action TEXT NOT NULL, in_seconds DOUBLE PRECISION, out_seconds DOUBLE PRECISION, path TEXT, decided_at DOUBLE PRECISION NOT NULL)"#,
            "CREATE INDEX decision_fingerprint ON decision (fingerprint)",
            // Search (issue 23 part 2): PostgreSQL's own full-text search with å/ä/ö folded by
            // unaccent before each configuration's stemmer, as SQLite's tokenizer folds them.
            "CREATE TEXT SEARCH CONFIGURATION efterhand_swedish (COPY = swedish)",
            "ALTER TEXT SEARCH CONFIGURATION efterhand_swedish ALTER MAPPING FOR hword, hword_part, word WITH unaccent, swedish_stem",
            "CREATE TEXT SEARCH CONFIGURATION efterhand_english (COPY = english)",
            "ALTER TEXT SEARCH CONFIGURATION efterhand_english ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
            "CREATE TEXT SEARCH CONFIGURATION efterhand_simple (COPY = simple)",
            "ALTER TEXT SEARCH CONFIGURATION efterhand_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
            // One row per search row of the SQLite index: a session's texts once per recording,
            // each segment's title and transcript. The column weights of SQLite's ranking in
            // PostgreSQL's four classes: A titles (10, 8), B speakers, topics, subtitle (6, 5,
            // 5), C abstract (3), D transcript (1). `folded` (the texts folded as TextMatch.fold
            // does) carries a trigram index for prefixes inside compounds.
            #"""
            CREATE TABLE search_document (
                id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, recording_id BIGINT NOT NULL REFERENCES recording (id) ON DELETE CASCADE,
                session_guid TEXT NOT NULL, segment_id BIGINT NOT NULL REFERENCES segment (id) ON DELETE CASCADE,
                session_title TEXT NOT NULL, subtitle TEXT NOT NULL, abstract TEXT NOT NULL, speakers TEXT NOT NULL, topics TEXT NOT NULL,
                segment_title TEXT NOT NULL, transcript TEXT NOT NULL, folded TEXT NOT NULL,
                doc_swedish tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('efterhand_swedish', session_title || ' ' || segment_title), 'A') ||
                    setweight(to_tsvector('efterhand_swedish', speakers || ' ' || topics || ' ' || subtitle), 'B') ||
                    setweight(to_tsvector('efterhand_swedish', abstract), 'C') ||
                    setweight(to_tsvector('efterhand_swedish', transcript), 'D')) STORED,
                doc_english tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('efterhand_english', session_title || ' ' || segment_title), 'A') ||
                    setweight(to_tsvector('efterhand_english', speakers || ' ' || topics || ' ' || subtitle), 'B') ||
                    setweight(to_tsvector('efterhand_english', abstract), 'C') ||
                    setweight(to_tsvector('efterhand_english', transcript), 'D')) STORED,
                doc_simple tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('efterhand_simple', session_title || ' ' || segment_title), 'A') ||
                    setweight(to_tsvector('efterhand_simple', speakers || ' ' || topics || ' ' || subtitle), 'B') ||
                    setweight(to_tsvector('efterhand_simple', abstract), 'C') ||
                    setweight(to_tsvector('efterhand_simple', transcript), 'D')) STORED)
            """#,
            "CREATE INDEX search_swedish ON search_document USING gin (doc_swedish)",
            "CREATE INDEX search_english ON search_document USING gin (doc_english)",
            "CREATE INDEX search_simple ON search_document USING gin (doc_simple)",
            "CREATE INDEX search_folded ON search_document USING gin (folded gin_trgm_ops)",
            "CREATE INDEX search_recording ON search_document (recording_id)",
            "CREATE TRIGGER session_commit AFTER INSERT OR UPDATE OR DELETE ON session FOR EACH ROW EXECUTE FUNCTION efterhand_notify_commit()",
            "CREATE TRIGGER link_commit AFTER INSERT OR UPDATE OR DELETE ON link FOR EACH ROW EXECUTE FUNCTION efterhand_notify_commit()",
            "CREATE TRIGGER publication_commit AFTER INSERT OR UPDATE OR DELETE ON publication FOR EACH ROW EXECUTE FUNCTION efterhand_notify_commit()",
            "CREATE TRIGGER cue_commit AFTER INSERT OR UPDATE OR DELETE ON cue FOR EACH STATEMENT EXECUTE FUNCTION efterhand_notify_commit()",
        ]),
        // Linking and people's work in the store (issue 23 parts 3 and 5): what linking by what
        // was said reads, the chapters people set, the audit log; a decision or an audit entry
        // gathered twice is kept once.
        Migration(identifier: "v3", statements: [
            // The SQLite index's `caption_source` row 'asr@listen': what a speech engine listened to.
            #"CREATE TABLE listened (recording_id BIGINT PRIMARY KEY REFERENCES recording (id) ON DELETE CASCADE, signature TEXT NOT NULL)"#,
            #"CREATE TABLE chapter_set (fingerprint TEXT NOT NULL, session_guid TEXT NOT NULL, position INTEGER NOT NULL, start_seconds DOUBLE PRECISION NOT NULL, title TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, who TEXT NOT NULL, PRIMARY KEY (fingerprint, session_guid, position))"#,
            #"CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, fingerprint TEXT, recording_path TEXT, session_guid TEXT, before TEXT NOT NULL, after TEXT NOT NULL)"#,
            "CREATE UNIQUE INDEX audit_once ON audit (at, who, action, fingerprint, session_guid) NULLS NOT DISTINCT",
            "CREATE INDEX audit_session ON audit (session_guid)",
            "CREATE INDEX audit_fingerprint ON audit (fingerprint)",
            "CREATE UNIQUE INDEX decision_once ON decision (fingerprint, session_guid, action, decided_at) NULLS NOT DISTINCT",
            // A programme stored again unchanged changes nothing (SQLite's `programme_hash`).
            "ALTER TABLE conference ADD COLUMN programme_hash TEXT",
            // A link job may wait while another runs: the running one may have read the store
            // before the probes it should link finished (see `LinkJob`).
            "DROP INDEX job_pending",
            "CREATE UNIQUE INDEX job_pending ON job (kind, key) WHERE state = 'queued' OR (state = 'running' AND kind <> 'link')",
        ]),
        // Speech-to-text as jobs (issue 23 part 3): what each machine draft was made from (the
        // SQLite index's `caption_source`), the store's settings (transcription on), and the
        // engine's confidence beside each cue, as SQLite keeps it.
        Migration(identifier: "v4", statements: [
            #"CREATE TABLE caption_source (recording_id BIGINT NOT NULL REFERENCES recording (id) ON DELETE CASCADE, source TEXT NOT NULL, signature TEXT NOT NULL, PRIMARY KEY (recording_id, source))"#,
            #"CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)"#,
            "ALTER TABLE cue ADD COLUMN avg_logprob DOUBLE PRECISION, ADD COLUMN no_speech_prob DOUBLE PRECISION",
        ]),
        // Thumbnails (issue 23 part 3): named by the relink as the SQLite ingest names them (by
        // fingerprint and time, so a moved file keeps them), made by thumbnail jobs on workers
        // that see the media, kept in the store so that every server gives the same picture.
        Migration(identifier: "v5", statements: [
            #"CREATE TABLE thumbnail (key TEXT PRIMARY KEY, file TEXT NOT NULL UNIQUE, width INTEGER NOT NULL, height INTEGER NOT NULL, time_seconds DOUBLE PRECISION, source TEXT NOT NULL, jpeg BYTEA, made_at TIMESTAMPTZ)"#,
        ]),
        // Text a person checked in the store (issue 23 part 5): a gather from a municipality's
        // index replaces the text it brings, never this.
        Migration(identifier: "v6", statements: [
            "ALTER TABLE verified_span ADD COLUMN made_in_store BOOLEAN NOT NULL DEFAULT false",
        ]),
        // Staff sign-ins kept in the store (issue 23 part 4), so that every server behind a load
        // balancer knows a person signed in on any of them, and failed sign-ins counted across
        // them. Session ids and staff tokens are kept only as SHA-256 digests: a copy of the store
        // signs nobody in. No commit trigger: a sign-in changes no catalogue.
        Migration(identifier: "v7", statements: [
            #"CREATE TABLE staff_sign_in (id_digest BYTEA PRIMARY KEY, name TEXT NOT NULL, form_token TEXT NOT NULL, token_digest BYTEA NOT NULL, expires_at TIMESTAMPTZ NOT NULL)"#,
            "CREATE INDEX staff_sign_in_expires ON staff_sign_in (expires_at)",
            #"CREATE TABLE staff_sign_in_failure (address TEXT PRIMARY KEY, failures INTEGER NOT NULL, since TIMESTAMPTZ NOT NULL)"#,
        ]),
        // The linker's answer for each recording before people's decisions, as the last relink of
        // every recording made it (`LinkProposal`): a decision is applied to it instead of
        // linking every recording again, as in the SQLite index (its v12). No commit trigger:
        // what the catalogue shows changes with the links written beside it.
        Migration(identifier: "v8", statements: [
            "CREATE TABLE link_proposal (recording_id BIGINT PRIMARY KEY REFERENCES recording (id) ON DELETE CASCADE, proposal TEXT NOT NULL)",
        ]),
    ]
}