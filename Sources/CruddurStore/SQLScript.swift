import Foundation

/// Splits a SQL script into its statements, so a migration file can run statement by statement over
/// the extended protocol. Semicolons inside quotes, identifiers, comments and dollar quotes do not split.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var index = script.startIndex
        func peek(_ offset: Int) -> Character? {
            script.index(index, offsetBy: offset, limitedBy: script.endIndex).flatMap {
                $0 < script.endIndex ? script[$0] : nil
            }
        }
        while index < script.endIndex {
            let character = script[index]
            if character == "-", peek(1) == "-" {
                let end = script[index...].firstIndex(of: "\n") ?? script.endIndex
                index = end
                continue
            }
            if character == "/", peek(1) == "*", let end = script[index...].range(of: "*/") {
                index = end.upperBound
                continue
            }
            if character == "'" || character == "\"" {
                let end =
                    script[script.index(after: index)...].firstIndex(of: character)
                    ?? script.index(before: script.endIndex)
                current += script[index...end]
                index = script.index(after: end)
                continue
            }
            if character == "$", let tagEnd = script[script.index(after: index)...].firstIndex(of: "$"),
                script[script.index(after: index)..<tagEnd].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            {
                let tag = script[index...tagEnd]
                let bodyStart = script.index(after: tagEnd)
                let close = script[bodyStart...].range(of: tag)?.upperBound ?? script.endIndex
                current += script[index..<close]
                index = close
                continue
            }
            if character == ";" {
                statements.append(current)
                current = ""
            } else {
                current.append(character)
            }
            index = script.index(after: index)
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
