import FacelyzrRuntime

/// Where each activation lives in the arena, planned by liveness at export time.
public struct ArenaPlan: Sendable, Equatable {
    /// Offset of each tensor in the arena (multiples of `BlobFormat.arenaAlignment`).
    public var offsets: [Int]
    /// Bytes the plan needs: `Model.arenaByteCount`.
    public var byteCount: Int
    /// The most bytes live at one step: no plan can use fewer.
    public var livenessLowerBound: Int

    /// Plans tensors of `sizes` bytes, tensor `i` live during the steps `lifetimes[i]` (from its
    /// producer to its last reader, inclusive). Greedy: largest first, each at the lowest aligned
    /// offset that overlaps no placed tensor whose lifetime intersects its own.
    public init(sizes: [Int], lifetimes: [ClosedRange<Int>]) {
        precondition(sizes.count == lifetimes.count)
        let alignment = Int(BlobFormat.arenaAlignment)
        var offsets = [Int](repeating: 0, count: sizes.count)
        var placed: [Int] = []
        let order = sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        for t in order {
            let conflicts = placed
                .filter { lifetimes[$0].overlaps(lifetimes[t]) }
                .map { offsets[$0]..<(offsets[$0] + sizes[$0]) }
                .sorted { $0.lowerBound < $1.lowerBound }
            var candidate = 0
            for range in conflicts where candidate < range.upperBound {
                if candidate + sizes[t] <= range.lowerBound { break }
                candidate = (range.upperBound + alignment - 1) / alignment * alignment
            }
            offsets[t] = candidate
            placed.append(t)
        }
        self.offsets = offsets
        byteCount = sizes.indices.map { offsets[$0] + sizes[$0] }.max() ?? 0
        livenessLowerBound = Self.livenessLowerBound(sizes: sizes, lifetimes: lifetimes)
    }

    /// The most bytes live at one step.
    public static func livenessLowerBound(sizes: [Int], lifetimes: [ClosedRange<Int>]) -> Int {
        guard let first = lifetimes.map(\.lowerBound).min(), let last = lifetimes.map(\.upperBound).max() else { return 0 }
        return (first...last).map { step in
            sizes.indices.filter { lifetimes[$0].contains(step) }.reduce(0) { $0 + sizes[$1] }
        }.max() ?? 0
    }

    /// Lifetimes of `tensorCount` tensors under `ops` (in order; `output` nil for ops that write no
    /// tensor; an add has two inputs): the model input lives from step -1, every tensor from the
    /// op that writes it to the last op that reads it, so an add's skip tensor stays live, and
    /// keeps its bytes, from its writer to the add.
    public static func lifetimes(tensorCount: Int, inputTensor: Int, ops: [(inputs: [Int], output: Int?)]) -> [ClosedRange<Int>] {
        var lifetimes = (0..<tensorCount).map { $0 == inputTensor ? -1...(-1) : 0...0 }
        for (i, op) in ops.enumerated() {
            if let output = op.output { lifetimes[output] = i...i }
        }
        for (i, op) in ops.enumerated() {
            for input in op.inputs {
                lifetimes[input] = lifetimes[input].lowerBound...max(lifetimes[input].upperBound, i)
            }
        }
        return lifetimes
    }
}
