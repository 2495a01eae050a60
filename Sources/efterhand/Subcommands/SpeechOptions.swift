import ArgumentParser
import Foundation
import Speech

/// Which speech engine drafts transcripts: flags, else `speech.json` in the index folder.
///
///     {"engine": "command",
///      "command": ".venv-speech/bin/python scripts/speech/faster_whisper_adaptor.py --input {input} --output {output} --language {language} --model {model}",
///      "model": ".speech-model/whisper-base"}
struct SpeechOptions: ParsableArguments {
    @Option(help: "Speech engine: command (a program run per piece of audio).")
    var engine: String?

    @Option(help: "The engine's command template, with {input} {output} {language} {model}.")
    var speechCommand: String?

    @Option(help: "The model the engine loads (a folder or file; it names the drafts' source).")
    var model: String?

    /// The configuration file's fields.
    struct File: Decodable {
        var engine: String?
        var command: String?
        var model: String?
    }

    /// The engine the flags or `<index>/speech.json` choose; a clear error when neither does.
    func make(indexFolder: String) throws -> any SpeechEngine {
        let path = (indexFolder as NSString).appendingPathComponent("speech.json")
        var file = File(engine: nil, command: nil, model: nil)
        if let data = FileManager.default.contents(atPath: path) {
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch {
                throw SpeechError("'\(path)' is not a speech configuration ({\"engine\", \"command\", \"model\"}): \(error)")
            }
        }
        let kind = engine ?? file.engine ?? "command"
        guard kind == "command" else {
            throw SpeechError("unknown speech engine '\(kind)': this efterhand has the command engine (an HTTP engine is not built yet)")
        }
        guard let template = speechCommand ?? file.command else {
            throw SpeechError("no speech engine is set up: give --speech-command TEMPLATE, or write '\(path)' (see README, \"Speech-to-text\")")
        }
        return try CommandEngine(template: template, model: model ?? file.model ?? "")
    }
}
