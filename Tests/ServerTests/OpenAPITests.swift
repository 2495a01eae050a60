import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

@Suite("OpenAPI description")
struct OpenAPITests {
    /// Every operation of `/openapi.json`, as (method, path template, parameters).
    static func operations(_ document: [String: Any]) throws -> [(method: String, path: String, parameters: [[String: Any]], admin: Bool)] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [(String, String, [[String: Any]], Bool)] = []
        for (path, item) in paths {
            for (method, value) in item {
                let operation = try #require(value as? [String: Any])
                operations.append((method.uppercased(), path, operation["parameters"] as? [[String: Any]] ?? [], operation["security"] != nil))
            }
        }
        return operations.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    @Test("the description is OpenAPI 3.1 and every operation in it is routed")
    func everyOperationIsRouted() async throws {
        let sample = try SampleIndex.shared.get()
        try await sample.test(sample.configuration(adminToken: "token")) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = try response.json()
            #expect(document["openapi"] as? String == "3.1.0")
            #expect((document["servers"] as? [[String: String]])?.first?["url"] == "https://play.example.org")
            let operations = try Self.operations(document)
            #expect(operations.count == Operation.all.count)
            #expect(Set(operations.map { "\($0.method) \($0.path)" }) == Set(Operation.all.map { "\($0.method.rawValue) \($0.documentedPath)" }))

            for operation in operations {
                // A concrete request from the documented examples.
                var path = operation.path
                var query: [String] = []
                for parameter in operation.parameters {
                    let name = try #require(parameter["name"] as? String)
                    let example = parameter["example"].map { "\($0)" }
                    switch parameter["in"] as? String {
                    case "path":
                        let value = try #require(example, "path parameter \(name) of \(operation.path) needs an example")
                        path = path.replacingOccurrences(of: "{\(name)}", with: value)
                    case "query":
                        if let example { query.append("\(name)=\(example)") }
                    default:
                        break
                    }
                }
                let uri = path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
                let method = HTTPRequest.Method(operation.method)!
                let answer = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer wrong"],
                                                      body: method == .get ? nil : ByteBuffer(string: "{}"))
                #expect(answer.errorCode != "no_route" && answer.errorCode != "method_not_allowed", "\(operation.method) \(uri) is not routed")
                if operation.admin {
                    #expect(answer.status == .unauthorized, "\(operation.method) \(uri) must need the token")
                } else if operation.path != "/thumbnails/{file}" {
                    #expect(answer.status == .ok, "\(operation.method) \(uri) with the documented examples: \(answer.status)")
                }
                // A method the description does not list for this path is refused.
                let documented = Set(operations.filter { $0.path == operation.path }.map(\.method))
                if !documented.contains("DELETE") {
                    let refused = try await client.execute(uri: uri, method: .delete)
                    #expect(refused.status == .methodNotAllowed, "DELETE \(uri)")
                }
            }
        }
    }

    @Test("every schema the description refers to is defined")
    func schemasExist() throws {
        let data = try OpenAPIDocument.render(links: .init())
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        var references: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            let name = reference.replacingOccurrences(of: "#/components/schemas/", with: "")
            #expect(schemas[name] != nil, "\(reference) is not defined")
        }
        #expect(document["servers"] == nil, "no server without a public URL")
    }
}
