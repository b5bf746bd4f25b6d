import Foundation

/// CPU time of the calling thread, for throughput figures that a shared machine does not skew
/// (what one unshared core would give) and for work bounds in tests that must not depend on load.
public enum ThreadCPUTime {
    /// Seconds of CPU the calling thread has used so far (`CLOCK_THREAD_CPUTIME_ID`).
    public static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
