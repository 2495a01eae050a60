import ArgumentParser
import Foundation
import Speech

/// Which speech engine drafts transcripts: flags, else `speech.json` in the index folder. Every
/// field is optional, and a flag given wins over its field:
///
///     {"engine": "command",
///      "command": ".venv-speech/bin/python scripts/speech/faster_whisper_adaptor.py --input {input} --output {output} --language {language} --model {model} --prompt={prompt}",
///      "model": ".speech-model/whisper-base"}
///
///     {"engine": "openai",
///      "url": "http://127.0.0.1:8765/v1",
///      "model": "whisper-1",
///      "api_key_file": "/etc/efterhand/speech-api-key",
///      "timeout": 600}
///
/// - `engine`: `command` (the default) or `openai`.
/// - `command`: the command engine's template (`--speech-command`).
/// - `url`: the openai engine's API base, with the version (`--speech-url`).
/// - `model`: a folder or file for the command engine; the model name sent by the openai
///   engine, `whisper-1` when not given (`--model`). It names the drafts' source.
/// - `api_key_file`: a file holding the openai engine's key, whitespace around it trimmed; a
///   relative path is taken from the index folder (`--speech-api-key-file`, from the current
///   folder). The key is read from `--speech-api-key-file`, else `EFTERHAND_SPEECH_API_KEY`,
///   else `api_key_file`; with none, no `Authorization` header is sent. No flag holds the key
///   itself: a command line is seen by every user of the machine.
/// - `timeout`: seconds one piece of audio may take (`--speech-timeout`): one request for
///   openai (600 by default), one run for command (3600).
struct SpeechOptions: ParsableArguments {
    @Option(help: "Speech engine: command (a program run per piece of audio) or openai (an OpenAI-compatible server).")
    var engine: String?

    @Option(help: "The command engine's template, with {input} {output} {language} {model}, and {prompt} for an engine that takes words to expect.")
    var speechCommand: String?

    @Option(help: "The openai engine's API base, with the version, such as http://127.0.0.1:8765/v1.")
    var speechUrl: String?

    @Option(help: "The model: a folder or file the command engine loads, or the name the openai engine sends (whisper-1 by default). It names the drafts' source.")
    var model: String?

    @Option(help: "A file holding the openai engine's API key (else EFTERHAND_SPEECH_API_KEY). The key itself is never a flag.")
    var speechApiKeyFile: String?

    @Option(help: "Seconds one piece of audio may take: one request for openai (default 600), one run for command (default 3600).")
    var speechTimeout: Double?

    /// Whether any engine flag was given (a command that hands the work to workers refuses them).
    var given: Bool {
        engine != nil || speechCommand != nil || speechUrl != nil || model != nil || speechApiKeyFile != nil || speechTimeout != nil
    }

    /// The configuration file's fields.
    struct File: Decodable {
        var engine: String?
        var command: String?
        var url: String?
        var model: String?
        var apiKeyFile: String?
        var timeout: Double?

        enum CodingKeys: String, CodingKey {
            case engine, command, url, model, apiKeyFile = "api_key_file", timeout
        }
    }

    /// The environment variable that may hold the openai engine's key.
    static let keyVariable = "EFTERHAND_SPEECH_API_KEY"
    /// The most bytes a key file is read for: keys are tens of characters, and a path such as
    /// /dev/zero must not be read forever.
    static let longestKey = 4096
    /// The longest timeout accepted, for either engine: the openai engine's bound (a week).
    static let longestTimeout = OpenAIEngine.longestTimeout

    /// The engine the flags or `<index>/speech.json` choose; a clear error when neither does.
    func make(indexFolder: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any SpeechEngine {
        let path = (indexFolder as NSString).appendingPathComponent("speech.json")
        var file = File()
        if let data = FileManager.default.contents(atPath: path) {
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch {
                throw SpeechError("'\(path)' is not a speech configuration ({\"engine\", \"command\", \"url\", \"model\", \"api_key_file\", \"timeout\"}): \(error)")
            }
        }
        let timeout = try Self.checked(timeout: speechTimeout ?? file.timeout)
        switch engine ?? file.engine ?? "command" {
        case "command":
            guard let template = speechCommand ?? file.command else {
                throw SpeechError("no speech engine is set up: give --speech-command TEMPLATE or --engine openai --speech-url URL, or write '\(path)' (see README, \"Speech-to-text drafts\")")
            }
            return try CommandEngine(template: template, model: model ?? file.model ?? "", timeout: timeout ?? 3600)
        case "openai":
            guard let url = speechUrl ?? file.url, !url.isEmpty else {
                throw SpeechError("the openai engine needs the server's URL: give --speech-url URL (such as http://127.0.0.1:8765/v1), or \"url\" in '\(path)'")
            }
            let key = try apiKey(file: file, indexFolder: indexFolder, environment: environment)
            return try OpenAIEngine(url: url, model: model ?? file.model ?? OpenAIEngine.defaultModel, apiKey: key,
                                    timeout: timeout ?? OpenAIEngine.defaultTimeout)
        case let other:
            throw SpeechError("unknown speech engine '\(other)': use command (a program run per piece of audio) or openai (an OpenAI-compatible server)")
        }
    }

    /// The openai engine's key: `--speech-api-key-file`, else the environment, else the file
    /// `speech.json` names; nil when none of them is given.
    func apiKey(file: File, indexFolder: String, environment: [String: String]) throws(SpeechError) -> String? {
        if let path = speechApiKeyFile {
            return try Self.key(readFrom: path)
        }
        if let key = environment[Self.keyVariable]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty {
            return try Self.checked(key: key, from: "\(Self.keyVariable)")
        }
        if let path = file.apiKeyFile {
            return try Self.key(readFrom: path.hasPrefix("/") ? path : (indexFolder as NSString).appendingPathComponent(path))
        }
        return nil
    }

    /// The key in `path`, whitespace and newlines around it trimmed.
    static func key(readFrom path: String) throws(SpeechError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SpeechError("cannot read the speech API key file '\(path)': it does not exist or is not readable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: longestKey + 1) ?? Data()
        } catch {
            throw SpeechError("cannot read the speech API key file '\(path)': \(error.localizedDescription)")
        }
        guard data.count <= longestKey else { throw SpeechError("the speech API key file '\(path)' is longer than \(longestKey) bytes: not a key") }
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw SpeechError("the speech API key file '\(path)' is empty") }
        return try checked(key: key, from: "the speech API key file '\(path)'")
    }

    /// A key that can go in a header: visible ASCII only (a line break would end the header).
    static func checked(key: String, from place: String) throws(SpeechError) -> String {
        guard key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw SpeechError("\(place) holds spaces, several lines or characters an API key does not have")
        }
        return key
    }

    /// A timeout as given, or a clear error for one that is not a number of seconds.
    static func checked(timeout: Double?) throws(SpeechError) -> Double? {
        guard let timeout else { return nil }
        guard timeout.isFinite, timeout > 0, timeout <= longestTimeout else {
            throw SpeechError("the speech timeout \(timeout) s is not between 0 and \(Int(longestTimeout)) s")
        }
        return timeout
    }
}
