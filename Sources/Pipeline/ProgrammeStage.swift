import Foundation
import IndexStore
import Schedule

/// Stores the programme given to the run (when one was), and reads first whether an earlier
/// run still owes the index a relink.
struct ProgrammeStage: IngestStage {
    static let name = "programme"
    let database: IndexDatabase
    let programme: Programme?

    func run(_ run: inout IngestRun) throws {
        // Read before anything is stored: a note left by a killed run.
        run.relinkOwed = try database.owedRelink() != nil
        guard let programme else { return }
        let total = programme.sessions.count
        let report = run.progress
        let started = run.started
        run.programmeChanged = try database.saveProgramme(programme) { done in
            report(IngestProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started), stage: .programme))
        }
    }
}
