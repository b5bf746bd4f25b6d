import Foundation

/// Prints progress unbuffered: on a terminal each update rewrites one line (`\r`); otherwise
/// (a log file, a pipe) each update is a line of its own.
enum ProgressLine {
    private static let isTerminal = isatty(STDOUT_FILENO) != 0
    nonisolated(unsafe) private static var open = false

    /// Replaces the current progress line.
    static func update(_ text: String) {
        write(isTerminal ? "\r\u{1B}[K" + text : text + "\n")
        open = isTerminal
    }

    /// Prints a line of its own (ending the progress line first).
    static func say(_ line: String) {
        write((open ? "\n" : "") + line + "\n")
        open = false
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
