import Foundation

/// Writes whole lines straight to the file descriptors: nothing waits in a buffer, so a pipe reader (a test, a
/// supervisor) sees the URLs as soon as they are printed.
enum Console {
    /// Writes `line` and a newline to standard output.
    static func out(_ line: String = "") {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes `line` and a newline to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Reports `error` as `emporium: <message>` and its hint on standard error.
    static func report(_ error: CLIError) {
        self.error("emporium: \(error.message)")
        if let hint = error.hint { self.error("hint: \(hint)") }
    }

    /// Rows as columns padded to the widest cell; the last column is not padded. Columns in `rightAligned` (numbers)
    /// are padded on the left.
    static func table(_ rows: [[String]], indent: String = "", rightAligned: Set<Int> = []) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                if rightAligned.contains(column) { return String(repeating: " ", count: widths[column] - cell.count) + cell }
                return column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            return indent + cells.joined(separator: "  ")
        }
    }
}
