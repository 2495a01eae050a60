import Feed
import Foundation

/// JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it), as much of it as the API's description needs.
/// A class, because a schema holds schemas (`items`, `properties`).
final class Schema: Encodable, Sendable {
    let type: String?
    let format: String?
    let description: String?
    let properties: [String: Schema]?
    let required: [String]?
    let items: Schema?
    let additionalProperties: Schema?
    let allowed: [String]?
    let oneOf: [Schema]?
    let reference: String?
    let minimum: Int?
    let maximum: Int?
    let exclusiveMinimum: Int?
    let minLength: Int?
    let maxLength: Int?
    let pattern: String?

    init(type: String? = nil, format: String? = nil, description: String? = nil, properties: [String: Schema]? = nil,
         required: [String]? = nil, items: Schema? = nil, additionalProperties: Schema? = nil, allowed: [String]? = nil,
         oneOf: [Schema]? = nil, reference: String? = nil, limits: Operation.Limits = .none, exclusiveMinimum: Int? = nil) {
        self.type = type
        self.format = format
        self.description = description
        self.properties = properties
        self.required = required
        self.items = items
        self.additionalProperties = additionalProperties
        self.allowed = allowed
        self.oneOf = oneOf
        self.reference = reference
        minimum = limits.minimum
        maximum = limits.maximum
        self.exclusiveMinimum = exclusiveMinimum
        minLength = limits.minLength
        maxLength = limits.maxLength
        pattern = limits.pattern
    }

    enum CodingKeys: String, CodingKey {
        case type, format, description, properties, required, items, additionalProperties, oneOf
        case minimum, maximum, exclusiveMinimum, minLength, maxLength, pattern
        case allowed = "enum"
        case reference = "$ref"
    }

    static let string = Schema(type: "string")
    static let integer = Schema(type: "integer")
    static let number = Schema(type: "number")
    static let boolean = Schema(type: "boolean")
    static let anyObject = Schema(type: "object")
    static let dateTime = Schema(type: "string", format: "date-time")

    static func object(_ properties: [String: Schema], required: [String] = []) -> Schema {
        Schema(type: "object", properties: properties, required: required.isEmpty ? nil : required)
    }

    static func array(_ items: Schema) -> Schema { Schema(type: "array", items: items) }
    static func ref(_ name: String) -> Schema { Schema(reference: "#/components/schemas/\(name)") }
    static func string(_ description: String) -> Schema { Schema(type: "string", description: description) }
}

/// The OpenAPI 3.1 description of the API, generated from `Operation.all`: typed documents,
/// encoded with sorted keys like every API answer.
struct OpenAPIDocument: Encodable {
    let openapi = "3.1.0"
    let info: Info
    let servers: [ServerObject]?
    let paths: [String: [String: OperationObject]]
    let components: Components

    struct Info: Encodable {
        let title: String
        let version: String
        let description: String
    }

    struct ServerObject: Encodable {
        let url: String
    }

    struct OperationObject: Encodable {
        let operationId: String
        let summary: String
        let tags: [String]
        let parameters: [ParameterObject]?
        let responses: [String: ResponseObject]
        let security: [[String: [String]]]?
        let requestBody: RequestBody?
    }

    struct ParameterObject: Encodable {
        let name: String
        let location: String
        let required: Bool
        let description: String
        let schema: Schema
        let example: Example?

        enum CodingKeys: String, CodingKey {
            case name, required, description, schema, example
            case location = "in"
        }
    }

    /// A parameter's example: a number for integer parameters, else text.
    enum Example: Encodable {
        case integer(Int)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .integer(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }
    }

    struct ResponseObject: Encodable {
        let description: String
        let content: [String: MediaTypeObject]?
    }

    struct MediaTypeObject: Encodable {
        let schema: Schema?
    }

    struct RequestBody: Encodable {
        let required: Bool
        let content: [String: MediaTypeObject]
    }

    struct Components: Encodable {
        let securitySchemes: [String: SecurityScheme]
        let schemas: [String: Schema]
    }

    struct SecurityScheme: Encodable {
        let type: String
        let scheme: String
        let description: String
    }

    static let summary = """
        The catalogue of a conference's recorded talks: a JSON Feed of published sessions, chapters, transcripts, \
        search, thumbnails and the recordings themselves with byte ranges. Feeds and API answers carry an `ETag` and \
        `Cache-Control`, answer `If-None-Match` with 304, and are gzipped for clients that accept it. Errors are \
        `{"error": {"code", "message"}}`. Without `--public-url` links are root-relative.
        """

    /// The document's bytes, for `/openapi.json`.
    static func render(links: Links) throws -> Data {
        let paths = Dictionary(grouping: Operation.all, by: \.documentedPath).mapValues { operations in
            Dictionary(operations.map { ($0.method.rawValue.lowercased(), describe($0)) }, uniquingKeysWith: { _, last in last })
        }
        let document = OpenAPIDocument(
            info: Info(title: "efterhand", version: "1.0.0", description: summary),
            servers: links.publicURL.map { [ServerObject(url: $0)] },
            paths: paths, components: components)
        return try APIJSON.encode(document)
    }

    static func describe(_ operation: Operation) -> OperationObject {
        let responses = Dictionary(operation.answers.map { answer in
            let content = answer.mediaTypes.isEmpty ? nil : Dictionary(answer.mediaTypes.map { ($0, MediaTypeObject(schema: answer.schema.map(Schema.ref))) },
                                                                        uniquingKeysWith: { _, last in last })
            return (String(answer.status), ResponseObject(description: answer.description, content: content))
        }, uniquingKeysWith: { _, last in last })
        return OperationObject(
            operationId: operation.id, summary: operation.summary, tags: [operation.tag],
            parameters: operation.parameters.isEmpty ? nil : operation.parameters.map(describe),
            responses: responses,
            security: operation.admin ? [["bearer": []]] : nil,
            requestBody: operation.admin ? requestBody(operation) : nil)
    }

    static func describe(_ parameter: Operation.Parameter) -> ParameterObject {
        let example = parameter.example.map { text in
            parameter.type == "integer" ? Int(text).map(Example.integer) ?? .text(text) : .text(text)
        }
        return ParameterObject(name: parameter.name, location: parameter.location.rawValue, required: parameter.required,
                               description: parameter.description, schema: Schema(type: parameter.type, limits: parameter.limits),
                               example: example)
    }

    /// A write's body: the decision document for JSON, else the file as a string.
    static func requestBody(_ operation: Operation) -> RequestBody {
        if operation.bodyMediaTypes == ["application/json"] {
            return RequestBody(required: true, content: ["application/json": MediaTypeObject(schema: .ref("DecisionRequest"))])
        }
        let content = Dictionary(operation.bodyMediaTypes.map { ($0, MediaTypeObject(schema: .string)) }, uniquingKeysWith: { _, last in last })
        return RequestBody(required: true, content: content)
    }

    static let components = Components(
        securitySchemes: ["bearer": SecurityScheme(type: "http", scheme: "bearer",
                                                   description: "The token of `EFTERHAND_ADMIN_TOKEN` or `--admin-token-file`.")],
        schemas: APISchemas.all)
}
