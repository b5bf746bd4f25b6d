import Foundation

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
    ///
    /// The child is forked by a small python3 process, not spawned from this one: Linux carries a
    /// process's peak over `exec`, and a child spawned here (vfork) would report this test
    /// process's peak, hundreds of MB by the time the suite runs it.
    public func runMeasuringPeakMemory(_ arguments: [String]) throws -> MeasuredRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facelyzr-peak-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let errorPath = directory + "/stderr", reportPath = directory + "/report"
        let launcher = """
            import os, sys
            pid = os.fork()
            if pid == 0:
                os.dup2(os.open("/dev/null", os.O_WRONLY), 1)
                os.dup2(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
                os.execv(sys.argv[3], sys.argv[3:])
            _, status, usage = os.wait4(pid, 0)
            with open(sys.argv[2], "w") as report:
                report.write(f"{status} {usage.ru_maxrss}")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", launcher, errorPath, reportPath, url.path] + arguments
        try process.run()
        process.waitUntilExit()
        let fields = ((try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
        guard process.terminationStatus == 0, fields.count == 2 else { throw POSIXError(.ECHILD) }
        let status = fields[0], signal = status & 0x7F  // the wait status layout (WIFEXITED, WEXITSTATUS, WTERMSIG)
        return MeasuredRun(status: signal == 0 ? (status >> 8) & 0xFF : nil, signal: signal == 0 ? nil : signal,
                           error: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
                           peakResidentBytes: Int(fields[1]) * 1024)  // Linux counts kilobytes
    }
}
