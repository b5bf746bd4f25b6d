import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension BuiltExecutable {
    /// How a run measured by ``runMeasuringPeakMemory(_:)`` ended.
    public struct MeasuredRun: Sendable {
        /// The exit status; nil when a signal ended the process.
        public var status: Int32?
        /// The signal that ended the process, if one did.
        public var signal: Int32?
        /// Standard error (standard output is discarded).
        public var error: String
        /// The child's peak resident memory (`ru_maxrss` from `wait4`), in bytes.
        public var peakResidentBytes: Int
    }

    /// Runs the executable with `arguments` and reports its peak resident memory, measured
    /// by the kernel for this one child (`wait4`), so other tests' processes cannot blur it.
    public func runMeasuringPeakMemory(_ arguments: [String]) throws -> MeasuredRun {
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("facelyzr-stderr-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([url.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, url.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        }
        let signal = status & 0x7F  // the wait status layout (WIFEXITED, WEXITSTATUS, WTERMSIG)
        return MeasuredRun(status: signal == 0 ? (status >> 8) & 0xFF : nil, signal: signal == 0 ? nil : signal,
                           error: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
                           peakResidentBytes: Int(usage.ru_maxrss) * 1024)  // Linux counts kilobytes
    }
}
