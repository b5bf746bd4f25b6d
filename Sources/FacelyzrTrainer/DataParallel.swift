import Dispatch
import FacelyzrRandom

/// Runs a model's training step over threads: the batch is cut into contiguous shards, each run
/// forward and backward on its own thread by its own copy of the model (weights shared with it,
/// its own activations and gradients), and the model's gradients are set to the shards' sum,
/// added in shard order (docs/training.md "Determinism and resuming"). Deterministic for a
/// given thread count; with one thread the step runs on the model itself, as without it.
/// Serves the supervised step (`Network`) and SDAE pre-training (`DenoisingAutoencoder`).
struct DataParallel<Model: ParameterContainer & Sendable>: Sendable {
    /// The shards' copies of the model of the last sharded forward; never checkpointed.
    private var replicas: [Model] = []
    /// Each shard's outputs of the last forward.
    private var outputs: [[Tensor]] = []
    /// Shards of the last forward (1: it ran on the model itself).
    private var shards = 1

    /// Forgets the copies (the model to be run changed shape, e.g. the next SDAE block).
    mutating func reset() {
        replicas = []
        outputs = []
    }

    /// Zeroes the gradients and runs `forward` over `input` in up to `threads` shards; returns
    /// the outputs for the whole batch. With one shard, `forward` runs on `model` with
    /// `generator`; otherwise each shard draws from its own generator, seeded by `generator`.
    mutating func forward(
        _ model: inout Model, _ input: Tensor, threads: Int, generator: inout SplitMix64,
        _ forward: @Sendable (inout Model, Tensor, inout SplitMix64) -> [Tensor]
    ) -> [Tensor] {
        shards = max(1, min(threads, input.batch))
        guard shards > 1 else {
            model.zeroGradients()
            return forward(&model, input, &generator)
        }
        if replicas.count != shards {
            replicas = Array(repeating: model, count: shards)
            outputs = Array(repeating: [], count: shards)
        }
        let seeds = (0..<shards).map { _ in generator.next() }
        let shards = shards, source = model
        replicas.withUnsafeMutableBufferPointer { copiesBuffer in
            outputs.withUnsafeMutableBufferPointer { outputsBuffer in
                nonisolated(unsafe) let copies = copiesBuffer, results = outputsBuffer
                Self.parallel(shards) { i in
                    copies[i].copyWeights(from: source)
                    var shardGenerator = SplitMix64(state: seeds[i])
                    copies[i].zeroGradients()
                    results[i] = forward(&copies[i], Self.rows(i, of: shards, in: input), &shardGenerator)
                }
            }
        }
        return outputs[0].indices.map { k in
            let parts = outputs.map { $0[k] }
            return Tensor(shape: [input.batch] + parts[0].shape.dropFirst(), values: parts.flatMap(\.values))
        }
    }

    /// Runs `backward` from the outputs' gradients (for the whole batch) of the last `forward`:
    /// each shard from its rows, then the model's gradients set to the shards' sum.
    mutating func backward(_ model: inout Model, _ gradients: [Tensor], _ backward: @Sendable (inout Model, [Tensor]) -> Void) {
        guard shards > 1 else { return backward(&model, gradients) }
        let shards = shards
        replicas.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let copies = buffer
            Self.parallel(shards) { i in
                backward(&copies[i], gradients.map { Self.rows(i, of: shards, in: $0) })
            }
        }
        var sums: [[Float]] = []
        replicas[0].visitParameters { _, p in sums.append(p.gradient.values) }
        for r in 1..<shards {
            var k = 0
            replicas[r].visitParameters { _, p in
                sums[k].withUnsafeMutableBufferPointer { s in
                    p.gradient.values.withUnsafeBufferPointer { g in
                        for j in 0..<g.count { s[j] += g[j] }
                    }
                }
                k += 1
            }
        }
        var k = 0
        model.visitParameters { _, p in
            p.gradient.values = sums[k]
            k += 1
        }
    }

    /// Shard `i` of `shards` contiguous shards of the batch `t`.
    private static func rows(_ i: Int, of shards: Int, in t: Tensor) -> Tensor {
        let rows = (i * t.batch / shards)..<((i + 1) * t.batch / shards), item = t.itemCount
        return Tensor(shape: [rows.count] + t.shape.dropFirst(), values: Array(t.values[rows.lowerBound * item..<rows.upperBound * item]))
    }

    /// Runs `body(i)` for `i` in `0..<count`, on as many threads, OpenBLAS at one thread inside.
    private static func parallel(_ count: Int, _ body: @Sendable (Int) -> Void) {
        ComputeThreads.openblasThreads(1)
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
        ComputeThreads.openblasThreads(ComputeThreads.count)
    }
}

extension ParameterContainer {
    /// Takes the weights of `other` (the same structure); they share storage until written.
    mutating func copyWeights(from other: Self) {
        var values: [Tensor] = []
        var source = other
        source.visitParameters { _, p in values.append(p.value) }
        var k = 0
        visitParameters { _, p in
            p.value = values[k]
            k += 1
        }
    }
}
