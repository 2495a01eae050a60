// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "efterhand",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "efterhand", targets: ["efterhand"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
    ],
    targets: [
        // FFmpeg's C API (libavformat, libavcodec, libswscale, libswresample), through Debian's -dev
        // packages. Only MediaProbe imports it.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev"])]
        ),
        // Cues, WebVTT/SRT parsers and writers, transcripts, sidecar files. Foundation only.
        .target(name: "Captions"),
        // The only Swift code that touches FFmpeg's C pointers.
        .target(
            name: "MediaProbe",
            dependencies: [
                "CFFmpeg",
                "Captions",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The programme: one session model and one importer per schedule format. Foundation only.
        .target(name: "Schedule"),
        // Matching recordings to sessions: pure functions over probe results and the programme.
        .target(name: "Linking", dependencies: ["MediaProbe", "Schedule"]),
        // The full-text ranking function, in C against Debian's libsqlite3 (the one GRDB links).
        .target(name: "CSearchRank", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The SQLite index (GRDB), and nothing else: one owner of the database, its migrations
        // (frozen, in one file), its records, reads and writes.
        .target(
            name: "IndexStore",
            dependencies: [
                "MediaProbe", "Schedule", "Linking", "Captions", "CSearchRank",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The PostgreSQL store (issue 23): its frozen migrations, the job queue that workers on
        // several machines claim from, and the commit notices servers listen for.
        .target(
            name: "PostgresStore",
            dependencies: [
                "MediaProbe", "IndexStore", "Schedule", "Linking", "Captions", "Pipeline",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // TLS for the connection that listens for commits (the pool makes its own).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Speech-to-text engines behind one protocol (a command per file, or an OpenAI-compatible
        // server over HTTP), and the guards against Whisper's known failures.
        .target(
            name: "Speech",
            dependencies: [
                "Captions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The ingest: one stage per job (programme, scan, probe, link, duplicates, captions,
        // thumbnails) over media and the programme, writing through IndexStore.
        .target(
            name: "Pipeline",
            dependencies: [
                "IndexStore", "MediaProbe", "Schedule", "Linking", "Captions", "Speech",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The feed, chapters, captions and API documents, rendered from one snapshot of the index. No HTTP.
        .target(
            name: "Feed",
            dependencies: [
                "IndexStore", "Captions", "Schedule", "MediaProbe",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The HTTP server (Hummingbird 2): routes, middleware and media with byte ranges.
        .target(
            name: "Server",
            dependencies: [
                "Feed", "IndexStore", "Pipeline", "MediaProbe", "Captions",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // `efterhand publish` asks the router for each file in-process, on a channel of its own.
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The web pages' stylesheet and script, served under /assets/, and their Mustache templates.
            resources: [.copy("Resources")]
        ),
        // The command-line program: thin commands over the libraries.
        .executableTarget(
            name: "efterhand",
            dependencies: [
                "MediaProbe",
                "Schedule",
                "Linking",
                "IndexStore",
                "Pipeline",
                "PostgresStore",
                "Speech",
                "Server",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A reference for `make bench-serve`: Hummingbird serving fixed bytes, nothing else.
        .executableTarget(
            name: "hummingbird-floor",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
        // What several test targets share: the binary of the same build.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "MediaProbeTests",
            dependencies: ["MediaProbe", "Captions", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "CaptionsTests", dependencies: ["Captions", "TestSupport"]),
        .testTarget(name: "SpeechTests", dependencies: ["Speech", "Captions", "TestSupport"]),
        .testTarget(
            name: "ScheduleTests",
            dependencies: ["Schedule", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LinkingTests",
            dependencies: ["Linking", "MediaProbe", "Schedule", "TestSupport"]
        ),
        .testTarget(
            name: "IndexStoreTests",
            dependencies: [
                "IndexStore", "Pipeline", "Linking", "MediaProbe", "Schedule", "Captions", "Speech", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: [
                "PostgresStore", "IndexStore", "Schedule", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "FeedTests", dependencies: ["Feed", "IndexStore", "Schedule", "Captions", "MediaProbe"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Feed", "IndexStore", "Pipeline", "Captions", "Schedule",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
    ]
)
