import ArgumentParser
import Foundation
import IndexStore
import Linking
import PostgresStore
import Schedule

/// `efterhand search`: find the moment a topic is discussed.
struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search the index: segments where the words are said or written, best first.",
        discussion: """
            Case and diacritics do not matter (oppna finds Öppna); every word also finds the words it \
            begins (innov finds innovationsmotor); several words must all match; "quoted words" are a phrase.
            """
    )

    @Argument(help: "What to look for.")
    var query: String

    @Option(help: "Only sessions with this topic.")
    var topic: String?

    @Option(help: "Only sessions on this day (YYYY-MM-DD).")
    var day: String?

    @Option(help: "Only sessions with this speaker (part of a name is enough).")
    var speaker: String?

    @Option(help: "Only sessions in this room.")
    var room: String?

    @Option(help: "Only sessions in this language (sv, en).")
    var language: String?

    @Option(help: "How many segments at most.")
    var limit = 20

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Also count the matches per topic, day, room and speaker.")
    var facets = false

    @Option(help: .hidden)
    var benchmarkQueries: String?

    /// For `make bench-serve`'s floor: each line of the file as the FTS5 expression it is searched by.
    @Option(help: .hidden)
    var matchExpressions: String?

    @OptionGroup var index: IndexOptions

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be between 1 and 500.") }
        if let day, day.count != 10 || day.split(separator: "-").count != 3 { throw ValidationError("--day must be YYYY-MM-DD.") }
    }

    func run() async throws {
        if let location = try index.postgres() { return try await runOnPostgres(location) }
        // Text only: no index is read.
        if let matchExpressions {
            for line in try String(contentsOfFile: matchExpressions, encoding: .utf8).split(separator: "\n") {
                print(IndexDatabase.matchExpression(String(line)) ?? "")
            }
            return
        }
        let database = try index.open(forQueries: true)
        let request = SearchQuery(text: query, topic: topic, day: day, speaker: speaker, room: room, language: language, limit: limit)
        if let benchmarkQueries {
            try SearchBenchmark.run(database, file: benchmarkQueries, limit: limit)
            return
        }
        let hits = try database.search(request)
        let counts = facets ? try database.facets(request) : nil
        try show(hits, counts)
    }

    /// The PostgreSQL store's answer (issue 23): hits and the query benchmark; facets not yet.
    func runOnPostgres(_ location: PostgresLocation) async throws {
        guard !facets, matchExpressions == nil else {
            FileHandle.standardError.write(Data("error: --facets and --match-expressions do not run on PostgreSQL yet (issue 23)\n".utf8))
            throw ExitCode(2)
        }
        let request = SearchQuery(text: query, topic: topic, day: day, speaker: speaker, room: room, language: language, limit: limit)
        let command = self
        try await PostgresCommand.run(location) { database in
            if let file = command.benchmarkQueries {
                try await SearchBenchmark.run(file: file) { try await database.search(SearchQuery(text: $0, limit: request.limit)) }
                return
            }
            try command.show(try await database.search(request), nil)
        }
    }

    /// Prints the hits (and counts) as text or JSON.
    func show(_ hits: [SearchHit], _ counts: SearchFacets?) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if let counts {
                struct Answer: Encodable { var hits: [SearchHit]; var facets: SearchFacets }
                print(String(decoding: try encoder.encode(Answer(hits: hits, facets: counts)), as: UTF8.self))
            } else {
                print(String(decoding: try encoder.encode(hits), as: UTF8.self))
            }
            return
        }
        for hit in hits {
            print("\(ClockText.position(hit.atSeconds))–\(ClockText.position(hit.endSeconds))  \(TerminalText.escaped(hit.sessionTitle)) › \(TerminalText.escaped(hit.segmentTitle))")
            print("    \(TerminalText.escaped(Self.plain(hit.snippetParts)))")
            print("    \(hit.url)")
        }
        print(hits.isEmpty ? "no segment matches \"\(query)\"" : "\(hits.count) segment\(hits.count == 1 ? "" : "s")")
        if let counts {
            for (name, values) in [("topics", counts.topics), ("days", counts.days), ("rooms", counts.rooms), ("speakers", counts.speakers)] {
                print("\(name): " + values.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
            }
        }
    }

    /// The snippet for a terminal: matched words in brackets.
    static func plain(_ parts: [SnippetPart]) -> String {
        parts.map { $0.marked ? "[\($0.text)]" : $0.text }.joined()
    }
}

/// The hidden `--benchmark-queries FILE` of `efterhand search`: each line a query, timed in
/// this process. Wall time is what a viewer waits; the thread's CPU time is what the query
/// costs, and stays comparable when other work shares the machine.
enum SearchBenchmark {
    static func run(_ database: IndexDatabase, file: String, limit: Int) throws {
        try report(file: file) { try database.search(SearchQuery(text: $0, limit: limit)) }
    }

    /// The same over the PostgreSQL store: the server's time is in wall time, not this thread's CPU.
    static func run(file: String, _ search: (String) async throws -> [SearchHit]) async throws {
        let queries = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        var wall: [Double] = []
        var found = 0
        for text in queries {
            let started = DispatchTime.now().uptimeNanoseconds
            found += try await search(text).isEmpty ? 0 : 1
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        wall.sort()
        print(String(format: "queries %d, with hits %d: wall p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     wall.count, found, percentile(wall, 0.5), percentile(wall, 0.99), wall.last ?? 0))
    }

    static func percentile(_ times: [Double], _ p: Double) -> Double { times.isEmpty ? 0 : times[min(times.count - 1, Int(Double(times.count) * p))] }

    static func report(file: String, _ search: (String) throws -> [SearchHit]) throws {
        let queries = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        var wall: [Double] = []
        var cpu: [Double] = []
        var slowest: [(ms: Double, query: String)] = []
        var found = 0
        for text in queries {
            let started = DispatchTime.now().uptimeNanoseconds
            let startedCPU = threadCPUNanoseconds()
            found += try search(text).isEmpty ? 0 : 1
            cpu.append(Double(threadCPUNanoseconds() - startedCPU) / 1e6)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            slowest = Array((slowest + [(cpu.last!, text)]).sorted { $0.ms > $1.ms }.prefix(5))
        }
        wall.sort()
        cpu.sort()
        print(String(format: "queries %d, with hits %d: wall p50 %.2f ms, p99 %.2f ms, max %.2f ms; CPU p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     wall.count, found, percentile(wall, 0.5), percentile(wall, 0.99), wall.last ?? 0,
                     percentile(cpu, 0.5), percentile(cpu, 0.99), cpu.last ?? 0))
        print("most CPU: " + slowest.map { String(format: "%.1f ms ", $0.ms) + $0.query }.joined(separator: "; "))
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
