import ArgumentParser
import Foundation

/// How `facelyzr` and `facelyzr-run-host` end (listed in docs/limits.md "Exit statuses"):
/// 0 done, 1 a failure (a file that cannot be read or written, an input that is not what it
/// should be), 2 a usage error (an unknown option, a missing argument, a value out of its
/// range), 3 a gate that did not pass (`drift`). Never a signal.
extension ParsableCommand {
    /// Parses `arguments` (negative numbers attached to their options, as
    /// `attachingNegativeValues` does), runs the command and exits with its status: an error
    /// of the parser or of a `validate()` exits 2 (ArgumentParser's default is 64, `EX_USAGE`),
    /// every other one as ArgumentParser says.
    public static func runExitingWithStatus(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try parseAsRoot(attachingNegativeValues(arguments))
            try command.run()
            exit(withError: nil)
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// `arguments` with each `--option` followed by a negative number (`-1`, `-0.5`, `-inf`,
/// `-nan`) joined into `--option=-number`; no other argument changes. So `--count -1` is read
/// as `--count=-1` and the option's range check says what the value must be; the parser would
/// otherwise take `-1` for an option and answer "Missing value".
public func attachingNegativeValues(_ arguments: [String]) -> [String] {
    var result: [String] = []
    for argument in arguments {
        if let option = result.last, option.hasPrefix("--"), option.count > 2, !option.contains("="),
           argument.hasPrefix("-"), Double(argument) != nil {
            result[result.count - 1] = option + "=" + argument
        } else {
            result.append(argument)
        }
    }
    return result
}
