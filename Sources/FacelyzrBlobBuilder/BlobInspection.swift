import FacelyzrRuntime

/// What `facelyzr inspect` reports about a blob: header, sections, input, ops with shapes,
/// MACs, parameters and kernel plan, arena and heads. A plain Codable value, so tests check it
/// field by field.
public struct BlobInspection: Codable, Equatable, Sendable {
    public struct Header: Codable, Equatable, Sendable {
        public var formatVersion: UInt32
        public var byteCount: Int
        public var headerSize: Int
        /// CRC-32 (zlib) as `0x` and 8 hex digits.
        public var headerChecksum: String
        public var payloadChecksum: String
    }

    public struct Section: Codable, Equatable, Sendable {
        /// `metadata`, `strings`, ... or `unknown-N` for an optional section this runtime does not know.
        public var kind: String
        public var offset: Int
        public var length: Int
        public var alignment: Int
        public var optional: Bool
    }

    public struct Shape: Codable, Equatable, Sendable {
        public var height: Int
        public var width: Int
        public var channels: Int
        init(_ s: TensorShape) { (height, width, channels) = (s.height, s.width, s.channels) }
    }

    public struct Input: Codable, Equatable, Sendable {
        public var height: Int
        public var width: Int
        public var channels: Int
        public var pixelFormat: String
        public var scale: Float
        public var zeroPoint: Int32
    }

    public struct Op: Codable, Equatable, Sendable {
        public var index: Int
        public var kind: String
        public var inputTensor: Int
        public var inputShape: Shape
        public var inputArenaOffset: Int
        /// Rows, columns and channels a pad puts before its input.
        public var padBefore: [Int]?
        /// A pad's per-channel values (format version 3), when it has them.
        public var padValues: [Int8]?
        /// An add's second input tensor and where it lies in the arena.
        public var secondInputTensor: Int?
        public var secondInputArenaOffset: Int?
        /// Output tensor; nil for a head's accumulators (see `headOutputs`).
        public var outputTensor: Int?
        public var outputShape: Shape?
        public var outputArenaOffset: Int?
        /// First head output and count, for `fullyConnectedAccumulators`.
        public var headOutputs: [Int]?
        /// `[height, width]` for convolutions.
        public var kernel: [Int]?
        public var stride: [Int]?
        public var padding: String?
        public var rounding: String?
        /// Fused activation clamp `[min, max]`.
        public var clamp: [Int32]?
        public var macs: Int
        public var parameters: Int
        /// The kernel that runs the op (`DefaultKernels` over packed weights).
        public var plan: Plan
    }

    /// One op's `KernelPlan`, as `Model.packWeights` records it for `cpuFeatures`
    /// (docs/kernels.md, "The kernel plan").
    public struct Plan: Codable, Equatable, Sendable {
        /// `KernelVariant.name`: `portable`, `avx512-vnni-quad-tiles`, ...
        public var variant: String
        /// `KernelMode.name`: `direct`, `pairs`, `tiles`, `runs` or `lanes`.
        public var mode: String
        /// `MaxPoolFusion.name`: `none`, `after-convolution`, `in-kernel` or `into-previous`.
        public var maxPool: String
        /// `GatherVariant.name` of the border gathers.
        public var gather: String
        /// The packed weights' layout (`KernelVariant.layout`; `canonical`: none packed).
        public var layout: String
        public var packedByteCount: Int
        /// The CPU features the variant needs (among `cpuFeatures`, which decided it).
        public var needs: [String]
    }

    public struct Output: Codable, Equatable, Sendable {
        public var label: String
        public var scale: Float
        /// The bin's value in an expected-value head.
        public var value: Float?
    }

    public struct Head: Codable, Equatable, Sendable {
        public var name: String
        public var kind: String
        public var firstOutput: Int
        public var outputs: [Output]
    }

    public var name: String
    public var header: Header
    public var sections: [Section]
    public var input: Input
    public var arenaByteCount: Int
    /// The most activation bytes live at one step (`ArenaPlan.livenessLowerBound`): no arena plan can be smaller.
    public var livenessLowerBound: Int
    public var tensorCount: Int
    public var outputCount: Int
    public var totalMACs: Int
    public var totalParameters: Int
    public var ops: [Op]
    public var heads: [Head]
    /// The CPU features the kernel plan was made for (this machine's: `CPUFeatures.detected`).
    public var cpuFeatures: [String]

    /// The report for a validated model, with its kernel plan on this machine.
    public init(_ model: Model) {
        self.init(model, features: .detected)
    }

    /// The names of `features`, lowest bit first.
    static func names(_ features: CPUFeatures) -> [String] {
        (0..<CPUFeatures.knownBits).map { CPUFeatures(rawValue: 1 << $0) }.filter { features.contains($0) }.map { "\($0.name)" }
    }

    /// The report for a validated model, with its kernel plan for `features` (this machine's or
    /// fewer).
    public init(_ model: Model, features: CPUFeatures) {
        let base = model.bytes.baseAddress!
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
        func hex(_ v: UInt32) -> String {
            let digits = String(v, radix: 16)
            return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
        }
        typealias H = BlobFormat.Header
        typealias E = BlobFormat.SectionEntry

        name = text(model.name)
        header = Header(
            formatVersion: model.formatVersion, byteCount: model.byteCount, headerSize: Int(u32(H.headerSize)),
            headerChecksum: hex(u32(H.headerChecksum)), payloadChecksum: hex(u32(H.payloadChecksum)))
        sections = (0..<Int(u32(H.sectionCount))).map { i in
            let e = H.size + i * E.size
            let kind = u32(e + E.kind)
            return Section(
                kind: SectionKind(rawValue: kind).map { "\($0)" } ?? "unknown-\(kind)",
                offset: Int(u64(e + E.offset)), length: Int(u64(e + E.length)), alignment: Int(u32(e + E.alignment)),
                optional: u32(e + E.flags) & BlobFormat.SectionFlags.optional != 0)
        }
        let i = model.input
        input = Input(height: i.height, width: i.width, channels: i.channels, pixelFormat: "\(i.pixelFormat)",
                      scale: i.scale, zeroPoint: i.zeroPoint)
        arenaByteCount = model.arenaByteCount
        let opEnds = (0..<model.opCount).map { model.op($0) }.map { o in
            (inputs: o.kind == .add ? [o.input, o.secondInput] : [o.input],
             output: o.kind == .fullyConnectedAccumulators ? nil : Optional(o.output))
        }
        livenessLowerBound = ArenaPlan.livenessLowerBound(
            sizes: (0..<model.tensorCount).map { model.tensor($0).byteCount },
            lifetimes: ArenaPlan.lifetimes(tensorCount: model.tensorCount, inputTensor: model.inputTensor, ops: opEnds))
        tensorCount = model.tensorCount
        outputCount = model.outputCount
        cpuFeatures = Self.names(features)
        // The plan as predict reads it: from a buffer packed for the default kernels.
        let packed = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(model.packedWeightsByteCount(for: DefaultKernels.self, features: features), 1), alignment: 64)
        defer { packed.deallocate() }
        model.packWeights(for: DefaultKernels.self, features: features, into: packed.baseAddress!)
        ops = (0..<model.opCount).map { index in
            let o = model.op(index)
            let source = model.tensor(o.input)
            let plan = model.kernelPlan(op: index, packedWeights: UnsafeRawPointer(packed.baseAddress!))
            var op = Op(
                index: index, kind: "\(o.kind)", inputTensor: o.input, inputShape: Shape(source.shape),
                inputArenaOffset: source.arenaOffset,
                macs: Int(model.multiplyAccumulates(op: index)), parameters: Int(model.parameterCount(op: index)),
                plan: Plan(
                    variant: "\(plan.variant.name)", mode: "\(plan.mode.name)", maxPool: "\(plan.maxPool.name)",
                    gather: "\(plan.gather.name)", layout: "\(plan.variant.layout)", packedByteCount: plan.packedByteCount,
                    needs: Self.names(plan.variant.features)))
            if o.kind == .fullyConnectedAccumulators {
                op.headOutputs = [o.output, o.outputLength]
            } else {
                let destination = model.tensor(o.output)
                op.outputTensor = o.output
                op.outputShape = Shape(destination.shape)
                op.outputArenaOffset = destination.arenaOffset
            }
            if o.kind == .conv2D || o.kind == .depthwiseConv2D || o.kind == .maxPool {
                op.kernel = [o.kernelHeight, o.kernelWidth]
                op.stride = [o.strideHeight, o.strideWidth]
                op.padding = "\(o.padding)"
            }
            if o.kind == .pad { op.padBefore = [o.padTop, o.padLeft, o.padChannels] }
            op.padValues = model.padValues(op: index).map(Array.init)
            if o.kind == .maxPool { op.clamp = [o.outputMin, o.outputMax] }
            if o.kind == .add {
                op.secondInputTensor = o.secondInput
                op.secondInputArenaOffset = model.tensor(o.secondInput).arenaOffset
            }
            if o.kind == .conv2D || o.kind == .depthwiseConv2D || o.kind == .fullyConnected || o.kind == .add {
                op.rounding = o.isWide && o.kind != .add ? "16x8" : "\(o.rounding)"  // 16x8: TFLite's int64 rescale (docs/quantization.md section 11)
                op.clamp = [o.outputMin, o.outputMax]
            }
            return op
        }
        totalMACs = ops.reduce(0) { $0 + $1.macs }
        totalParameters = ops.reduce(0) { $0 + $1.parameters }
        heads = (0..<model.headCount).map { h in
            let head = model.head(h)
            return Head(
                name: text(head.name), kind: "\(head.kind)", firstOutput: head.firstOutput,
                outputs: (head.firstOutput..<(head.firstOutput + head.outputCount)).map {
                    Output(label: text(model.outputLabel($0)), scale: model.outputScale($0),
                           value: head.kind == .expectedValue ? model.outputValue($0) : nil)
                })
        }
    }

    /// The report as text for a terminal.
    public var text: String {
        var lines = [
            "model \(name): format v\(header.formatVersion), \(header.byteCount) bytes, header \(header.headerSize) bytes",
            "checksums: header \(header.headerChecksum), payload \(header.payloadChecksum) (CRC-32, zlib)",
            "input: \(input.height)x\(input.width)x\(input.channels) \(input.pixelFormat), scale \(input.scale), zero point \(input.zeroPoint)",
            "arena: \(arenaByteCount) bytes for \(tensorCount) tensors (liveness lower bound \(livenessLowerBound)); \(outputCount) int32 head outputs",
            "sections:",
        ]
        for s in sections {
            lines.append("  \(s.kind) at \(s.offset), \(s.length) bytes, aligned \(s.alignment)\(s.optional ? ", optional" : "")")
        }
        lines.append("ops (\(ops.count), \(totalMACs) MACs, \(totalParameters) parameters):")
        func shape(_ s: Shape) -> String { "\(s.height)x\(s.width)x\(s.channels)" }
        for op in ops {
            var line = "  \(op.index) \(op.kind) \(shape(op.inputShape))@\(op.inputArenaOffset)"
            if let at = op.secondInputArenaOffset { line += " + \(shape(op.inputShape))@\(at)" }
            if let out = op.outputShape, let at = op.outputArenaOffset { line += " -> \(shape(out))@\(at)" }
            if let h = op.headOutputs { line += " -> head outputs \(h[0])..<\(h[0] + h[1])" }
            if let k = op.kernel, let s = op.stride, let p = op.padding {
                line += " kernel \(k[0])x\(k[1]) stride \(s[0])x\(s[1]) \(p)"
            }
            if let r = op.rounding { line += " \(r) rounding," }
            if let c = op.clamp { line += " clamp [\(c[0]), \(c[1])]" }
            if let p = op.padBefore { line += " at rows +\(p[0]), columns +\(p[1]), channels +\(p[2])" }
            if let v = op.padValues { line += ", values \(v.map(String.init).joined(separator: " "))" }
            line += ", \(op.macs) MACs, \(op.parameters) parameters"
            lines.append(line)
        }
        let machine = cpuFeatures.isEmpty ? "no CPU features" : "CPU features " + cpuFeatures.joined(separator: ", ")
        lines.append("kernel plan (\(machine); the max pool steps fuse when predict keeps no layer outputs):")
        for op in ops {
            let p = op.plan
            var line = "  \(op.index) \(op.kind): \(p.variant), \(p.mode)"
            if p.maxPool != "none" { line += ", max pool \(p.maxPool)" }
            if p.gather != "portable" { line += ", \(p.gather) gather" }
            if p.packedByteCount > 0 { line += ", \(p.layout) \(p.packedByteCount) bytes" }
            line += p.needs.isEmpty ? "; needs no CPU feature" : "; needs " + p.needs.joined(separator: ", ")
            lines.append(line)
        }
        lines.append("heads:")
        for head in heads {
            let labels = head.outputs.map { "\($0.label) (scale \($0.scale)\($0.value.map { ", value \($0)" } ?? ""))" }.joined(separator: ", ")
            lines.append("  \(head.name) \(head.kind), outputs \(head.firstOutput)..<\(head.firstOutput + head.outputs.count): \(labels)")
        }
        return lines.joined(separator: "\n")
    }
}
