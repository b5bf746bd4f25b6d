/// A `DecodingError` of a JSON file in words: where in the file (the key path, `heads[2].labels`)
/// and what is wrong there, for messages of the form "FILE: not a ...: PROBLEM". Any other
/// error is described as itself.
public enum DecodingProblem {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case let .keyNotFound(key, context):
            return "\(path(context.codingPath + [key])): missing"
        case let .valueNotFound(type, context):
            return "\(path(context.codingPath)): missing (null where \(kind(type)) is expected)"
        case let .typeMismatch(type, context):
            return "\(path(context.codingPath)): expected \(kind(type))"
        case let .dataCorrupted(context):
            // An empty path is the file itself: not JSON at all.
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): invalid value"
        @unknown default:
            return "\(error)"
        }
    }

    /// `a.b[2].c`, or "the top level" for the empty path.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {  // an element of a list
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "the top level" : text
    }

    /// What a value of `type` is, in the words of JSON.
    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type, is any BinaryFloatingPoint.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "an object or a list"
        }
    }
}
