import GRDB

/// Every migration of the index, in order, each as the SQL it ran when it shipped: frozen text,
/// never edited, only added to (a change to the schema is a new migration at the end). No
/// migration calls live code, so what one does never changes with the code around it. The SQL
/// is what each migration left in `sqlite_master` (`UpgradeTests` compares a new index with
/// one made by the last release).
enum Migrations {
    /// The identifier of the migration that rebuilt the full-text table empty; the rows are
    /// filled after the migrations, by today's code (see `IndexDatabase.migrate`).
    static let searchRebuilt = "v4: word pairs for phrases"
    /// The search table as migration v4 made it (part of that frozen migration: never edit);
    /// also made in memory for a static publish from the PostgreSQL store.
    static let searchTable = """
        CREATE VIRTUAL TABLE search USING fts5(
          kind UNINDEXED, recording_id UNINDEXED, session_guid UNINDEXED, segment_id UNINDEXED,
          session_title, subtitle, abstract, speakers, topics, segment_title, transcript, pairs,
          tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5 6')
        """

    static let all: [(identifier: String, sql: [String])] = [
        ("v1: recordings, sessions, links, decisions, segments", [
            #"CREATE TABLE "conference" ("id" INTEGER PRIMARY KEY, "title" TEXT, "acronym" TEXT, "time_zone" TEXT NOT NULL, "programme_hash" TEXT)"#,
            #"CREATE TABLE "session" ("guid" TEXT PRIMARY KEY, "source_id" TEXT, "slug" TEXT, "title" TEXT NOT NULL, "subtitle" TEXT, "abstract" TEXT, "description" TEXT, "start" DOUBLE NOT NULL, "end" DOUBLE NOT NULL, "room" TEXT, "track" TEXT, "type" TEXT, "language" TEXT, "persons" TEXT NOT NULL, "topics" TEXT NOT NULL, "url" TEXT, "do_not_record" BOOLEAN NOT NULL, "in_programme" BOOLEAN NOT NULL DEFAULT 1)"#,
            #"CREATE TABLE "recording" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "path" TEXT NOT NULL UNIQUE, "absolute_path" TEXT NOT NULL, "fingerprint" TEXT, "size" INTEGER, "mtime" DOUBLE, "state" TEXT NOT NULL, "probe" TEXT, "error_code" TEXT, "error_message" TEXT, "duration" DOUBLE, "link_status" TEXT NOT NULL DEFAULT 'unmatched', "recording_start" DOUBLE, "recording_start_source" TEXT, "duplicate_of" INTEGER, "first_seen" DOUBLE NOT NULL, "updated_at" DOUBLE NOT NULL)"#,
            #"CREATE INDEX "recording_fingerprint" ON "recording"("fingerprint")"#,
            #"CREATE TABLE "link" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "recording_id" INTEGER NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE, "session_guid" TEXT NOT NULL, "kind" TEXT NOT NULL, "position" INTEGER NOT NULL, "score" DOUBLE NOT NULL, "in_seconds" DOUBLE NOT NULL, "out_seconds" DOUBLE NOT NULL, "reasons" TEXT NOT NULL, "flags" TEXT NOT NULL, "part" INTEGER, "parts" INTEGER, "decided_by" TEXT NOT NULL, UNIQUE ("recording_id", "session_guid", "kind"))"#,
            #"CREATE INDEX "link_session" ON "link"("session_guid")"#,
            #"CREATE TABLE "decision" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "fingerprint" TEXT NOT NULL, "session_guid" TEXT, "action" TEXT NOT NULL, "in_seconds" DOUBLE, "out_seconds" DOUBLE, "path" TEXT, "decided_at" DOUBLE NOT NULL)"#,
            #"CREATE INDEX "decision_fingerprint" ON "decision"("fingerprint")"#,
            #"CREATE TABLE "segment" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "recording_id" INTEGER NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE, "session_guid" TEXT NOT NULL, "position" INTEGER NOT NULL, "start_seconds" DOUBLE NOT NULL, "end_seconds" DOUBLE NOT NULL, "title" TEXT NOT NULL, "topics" TEXT NOT NULL, "source" TEXT NOT NULL)"#,
            #"CREATE INDEX "segment_recording" ON "segment"("recording_id", "session_guid")"#,
        ]),
        ("v2: transcripts and thumbnails", [
            #"CREATE TABLE "cue" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "recording_id" INTEGER NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE, "language" TEXT NOT NULL, "start_seconds" DOUBLE NOT NULL, "end_seconds" DOUBLE NOT NULL, "text" TEXT NOT NULL, "speaker" TEXT, "source" TEXT NOT NULL, "status" TEXT NOT NULL)"#,
            #"CREATE INDEX "cue_recording" ON "cue"("recording_id", "language", "start_seconds")"#,
            #"CREATE TABLE "verified_span" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "recording_id" INTEGER NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE, "language" TEXT NOT NULL, "start_seconds" DOUBLE NOT NULL, "end_seconds" DOUBLE NOT NULL, "verified_at" DOUBLE NOT NULL)"#,
            #"CREATE TABLE "caption_source" ("recording_id" INTEGER NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE, "source" TEXT NOT NULL, "signature" TEXT NOT NULL, PRIMARY KEY ("recording_id", "source"))"#,
            #"CREATE TABLE "thumbnail" ("key" TEXT PRIMARY KEY, "file" TEXT NOT NULL, "width" INTEGER NOT NULL, "height" INTEGER NOT NULL, "time_seconds" DOUBLE, "source" TEXT NOT NULL)"#,
        ]),
        // One row per session part (title, abstract, speakers, topics: lands on its first
        // segment) and one per segment (segment title and transcript: lands on the segment).
        // Folded matching (öppna = oppna); prefixes indexed for `innov` and compounds. The
        // `rank` line gives the field weights: titles above abstract above transcript.
        // `search_row` keeps which rows belong to which recording: FTS5 cannot index its own
        // columns, so this keeps a refresh from scanning the whole text index.
        ("v3: full-text search", [
            """
            CREATE VIRTUAL TABLE search USING fts5(
              kind UNINDEXED, recording_id UNINDEXED, session_guid UNINDEXED, segment_id UNINDEXED,
              session_title, subtitle, abstract, speakers, topics, segment_title, transcript,
              tokenize = 'unicode61 remove_diacritics 2', prefix = '3 4 5 6')
            """,
            "INSERT INTO search (search, rank) VALUES ('rank', 'bm25(0, 0, 0, 0, 10.0, 5.0, 3.0, 6.0, 5.0, 8.0, 1.0)')",
            #"CREATE TABLE "search_row" ("rowid" INTEGER PRIMARY KEY, "recording_id" INTEGER NOT NULL)"#,
            #"CREATE INDEX "search_row_on_recording_id" ON "search_row"("recording_id")"#,
        ]),
        // A phrase of common words ("för att") made FTS5 check positions in most rows; a column
        // of adjacent word pairs lets the rare pair find the few rows to check. The rows are
        // filled after the migrations (`searchRebuilt`). Dropping the v3 table dropped its
        // `rank` line too, as it always did: searches rank with `efterhand_rank` and weights
        // of their own (`IndexDatabase+Search.swift`), not with FTS5's `rank`.
        (searchRebuilt, [
            "DROP TABLE search",
            searchTable,
            "DELETE FROM search_row",
        ]),
        // What an ingest still owes the index (`IndexDatabase+Bookkeeping.swift`).
        ("v5: ingest bookkeeping", [
            #"CREATE TABLE "ingest_note" ("key" TEXT PRIMARY KEY, "value" TEXT NOT NULL)"#,
        ]),
        // The folders recordings may be served from (`IndexDatabase+MediaRoots.swift`).
        ("v6: media roots", [
            #"CREATE TABLE "media_root" ("path" TEXT PRIMARY KEY)"#,
        ]),
        // How sure a speech engine was of each machine-drafted cue (Whisper's figures; NULL for
        // cues from subtitles, sidecars, imports and engines that give none).
        ("v7: cue confidence", [
            #"ALTER TABLE "cue" ADD COLUMN "avg_logprob" DOUBLE"#,
            #"ALTER TABLE "cue" ADD COLUMN "no_speech_prob" DOUBLE"#,
        ]),
        // Which segment and session each search row is of, beside its recording: facets count
        // matching rows per session from these small rows instead of reading each row's whole
        // text (transcripts included) out of the full-text table (issue 20).
        ("v8: search rows name their segment and session", [
            #"ALTER TABLE "search_row" ADD COLUMN "segment_id" INTEGER"#,
            #"ALTER TABLE "search_row" ADD COLUMN "session_guid" TEXT"#,
            """
            UPDATE "search_row" SET
              "segment_id" = (SELECT "segment_id" FROM "search" WHERE "search"."rowid" = "search_row"."rowid"),
              "session_guid" = (SELECT "session_guid" FROM "search" WHERE "search"."rowid" = "search_row"."rowid")
            """,
        ]),
        // Every change a person makes (who, when, what, before and after), for the staff pages'
        // history and its export (issue 21; `IndexDatabase+Audit.swift`).
        ("v9: audit log", [
            #"CREATE TABLE "audit" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "at" DOUBLE NOT NULL, "who" TEXT NOT NULL, "action" TEXT NOT NULL, "fingerprint" TEXT, "recording_path" TEXT, "session_guid" TEXT, "before" TEXT NOT NULL, "after" TEXT NOT NULL)"#,
            #"CREATE INDEX "audit_session" ON "audit"("session_guid")"#,
        ]),
        // A person's choice to hide a published session, or publish it again, kept by the
        // session's guid across programme re-imports (issue 21; `IndexDatabase+Audit.swift`).
        ("v10: publication choices", [
            #"CREATE TABLE "publication" ("session_guid" TEXT PRIMARY KEY, "hidden" INTEGER NOT NULL, "at" DOUBLE NOT NULL, "who" TEXT NOT NULL)"#,
        ]),
        // A person's chapters for a session in a recording (renamed, added, moved, deleted on the
        // staff pages or with `efterhand chapters`), kept by the recording's fingerprint and the
        // session's guid: they win over the file's chapters and the even cuts, through re-ingests
        // (issue 21; `IndexDatabase+Chapters.swift`).
        ("v11: manual chapters", [
            #"CREATE TABLE "chapter_set" ("fingerprint" TEXT NOT NULL, "session_guid" TEXT NOT NULL, "position" INTEGER NOT NULL, "start_seconds" DOUBLE NOT NULL, "title" TEXT NOT NULL, "at" DOUBLE NOT NULL, "who" TEXT NOT NULL, PRIMARY KEY ("fingerprint", "session_guid", "position"))"#,
        ]),
        // The linker's answer for each recording before people's decisions, as the last relink of
        // every recording made it (`LinkProposal`): a decision is applied to it instead of
        // linking every recording again (issue 23). Rebuilt by any relink; none is a full relink.
        ("v12: link proposals", [
            #"CREATE TABLE "link_proposal" ("recording_id" INTEGER PRIMARY KEY REFERENCES "recording"("id") ON DELETE CASCADE, "proposal" TEXT NOT NULL)"#,
        ]),
    ]

    /// The migrator that runs them.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.identifier) { db in
                for statement in migration.sql { try db.execute(sql: statement) }
            }
        }
        return migrator
    }
}
