import IndexStore

/// Marks copies of one file at several paths: every recording with the fingerprint of an
/// older one (the smallest id) is a duplicate of it.
struct DuplicateStage: IngestStage {
    static let name = "duplicates"
    let database: IndexDatabase

    func run(_ run: inout IngestRun) throws {
        let present = try database.fileStates().values.filter { $0.state != .missing }
        var byFingerprint: [String: [Int64]] = [:]
        for state in present { if let fingerprint = state.fingerprint { byFingerprint[fingerprint, default: []].append(state.id) } }
        let stored = Dictionary(try database.recordings(includeMissing: false, withProbe: false).compactMap { r in r.id.map { ($0, r.duplicateOf) } },
                                uniquingKeysWith: { a, _ in a })
        var updates: [Int64: Int64?] = [:]
        for ids in byFingerprint.values {
            guard let original = ids.min() else { continue }
            for id in ids {
                let want: Int64? = ids.count > 1 && id != original ? original : nil
                if stored[id] != want { updates[id] = want }
            }
        }
        try database.setDuplicates(updates)
    }
}
