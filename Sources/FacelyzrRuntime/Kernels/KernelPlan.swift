import CFacelyzrSIMD

// The kernel plan (docs/kernels.md, "The kernel plan"): which kernel variant runs each op,
// decided once, when the weights are packed, and recorded at the start of the packed buffer.
// Every rule that chooses a kernel is in this file; the executor and the fast kernels only read
// the plan, and nothing else asks the CPU what it can do.

/// The CPU features the kernel plan is decided for. A plain set of bits (an `OptionSet`'s
/// array literals would allocate in Embedded Swift).
public struct CPUFeatures: Equatable, Sendable {
    public var rawValue: UInt8

    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Nothing beyond the ISA's baseline (x86-64: SSE2; aarch64: ARMv8.0 with NEON).
    public static let baseline = CPUFeatures(rawValue: 0)
    /// x86-64: AVX2, with the OS saving the YMM state.
    public static let avx2 = CPUFeatures(rawValue: 1 << 0)
    /// x86-64: AVX-512 F, BW, VL and VNNI (vpdpbusd), with the OS saving the ZMM and opmask state.
    public static let avx512vnni = CPUFeatures(rawValue: 1 << 1)
    /// x86-64: AVX-512 VBMI too (vpermt2b).
    public static let avx512vbmi = CPUFeatures(rawValue: 1 << 2)
    /// aarch64: built for ARMv8.2 with the dot product (sdot).
    public static let dotProduct = CPUFeatures(rawValue: 1 << 3)
    /// Every feature above, lowest bit first.
    public static let knownBits = 4

    /// Whether every feature of `other` is here.
    @inlinable
    public func contains(_ other: CPUFeatures) -> Bool { rawValue & other.rawValue == other.rawValue }

    /// The features of both.
    @inlinable
    public func union(_ other: CPUFeatures) -> CPUFeatures { CPUFeatures(rawValue: rawValue | other.rawValue) }

    /// This machine's features: on x86-64 from cpuid (asked once per process), on aarch64 the
    /// build's target; none elsewhere. Only the planner's callers ask, when they pack.
    public static var detected: CPUFeatures {
        #if arch(x86_64)
        var features = baseline
        let level = fz_x86_kernel()
        if level >= 1 { features = features.union(.avx2) }
        if level == 2 { features = features.union(.avx512vnni) }
        if fz_x86_has_avx512vbmi() != 0 { features = features.union(.avx512vbmi) }
        return features
        #elseif arch(arm64)
        return fz_neon_has_dotprod() != 0 ? .dotProduct : .baseline
        #else
        return .baseline
        #endif
    }

    /// The name of a single feature (`avx2`, `avx512-vnni`, ...).
    public var name: StaticString {
        switch self {
        case .avx2: "avx2"
        case .avx512vnni: "avx512-vnni"
        case .avx512vbmi: "avx512-vbmi"
        case .dotProduct: "dotprod"
        default: "unknown"
        }
    }
}

/// The kernel that runs an op.
public enum KernelVariant: UInt8, Sendable {
    /// The canonical weights (no packed part), portable Swift loops: every op of a set that does
    /// not pack, depthwise convolutions, pools, convolutions too large to pack, fully connected
    /// ops without AVX-512.
    case portable
    /// Packed int16 pairs, two output pixels per pass over a block of 16 channels' weights, in
    /// portable Swift (targets other than x86-64 and aarch64).
    case portablePairs
    /// The int16 pairs with SSE2 pmaddwd (fz_sse2_dot_pairs_16x2).
    case sse2Pairs
    /// The int16 pairs with 256-bit vpmaddwd (fz_avx2_dot_pairs_16x2), AVX2 requantisation.
    case avx2Pairs
    /// Quad tiles with vpdpbusd (fz_avx512vnni_conv_tile, fz_avx512vnni_conv_run).
    case avx512QuadTiles
    /// Pixel lanes with vpdpbusd and vpermt2b, one C call per op (fz_avx512vnni_lanes_conv).
    case avx512PixelLanes
    /// Fully connected: each output's dot product with AVX-512 VNNI (fz_avx512_dot).
    case avx512Dot
    /// aarch64 int8 weight rows, two output pixels per pass (fz_neon_dot_16x2: sdot when built
    /// for the dot product, else smull/smlal2/sadalp).
    case neonRows
    /// Quad tiles with smull/smlal pairs (fz_neon_smull_conv_tile, ARMv8.0).
    case neonSmullQuads
    /// Quad tiles with indexed sdot (fz_neon_sdot_conv_tile, ARMv8.2 with the dot product).
    case neonSdotQuads
    /// Add: 16 elements per step with AVX2 (fz_avx2_add).
    case avx2Elementwise
    /// Add: 16 elements per step with NEON (fz_neon_add).
    case neonElementwise

    /// The name `facelyzr inspect` prints.
    public var name: StaticString {
        switch self {
        case .portable: "portable"
        case .portablePairs: "portable-pairs"
        case .sse2Pairs: "sse2-pairs"
        case .avx2Pairs: "avx2-pairs"
        case .avx512QuadTiles: "avx512-vnni-quad-tiles"
        case .avx512PixelLanes: "avx512-vbmi-pixel-lanes"
        case .avx512Dot: "avx512-vnni-dot"
        case .neonRows: "neon-int8-rows"
        case .neonSmullQuads: "neon-smull-quad-tiles"
        case .neonSdotQuads: "neon-sdot-quad-tiles"
        case .avx2Elementwise: "avx2-elementwise"
        case .neonElementwise: "neon-elementwise"
        }
    }

    /// The CPU features the variant needs.
    public var features: CPUFeatures {
        switch self {
        case .portable, .portablePairs, .sse2Pairs, .neonRows, .neonSmullQuads, .neonElementwise: .baseline
        case .avx2Pairs, .avx2Elementwise: .avx2
        case .avx512QuadTiles, .avx512Dot: .avx512vnni
        case .avx512PixelLanes: CPUFeatures.avx512vnni.union(.avx512vbmi)
        case .neonSdotQuads: .dotProduct
        }
    }

    /// The layout of the op's packed weights (the packed part's weights after the per-channel
    /// constants; `Fast.pack`).
    public var layout: StaticString {
        switch self {
        case .portable, .avx512Dot, .avx2Elementwise, .neonElementwise: "canonical"
        case .portablePairs, .sse2Pairs, .avx2Pairs: "int16-pairs"
        case .neonRows: "int8-rows"
        case .avx512QuadTiles, .neonSmullQuads, .neonSdotQuads: "quads-per-kernel-row"
        case .avx512PixelLanes: "quads-per-field+lanes-plan"
        }
    }
}

/// How the variant walks the op.
public enum KernelMode: UInt8, Sendable {
    /// Loops over the canonical weights (or, fully connected, one dot product per output).
    case direct
    /// Two output pixels per pass over a block of 16 channels' packed weights.
    case pairs
    /// Quad tiles one at a time, requantised in Swift (single rounding).
    case tiles
    /// Quad tiles, each output row's in-place tiles in one C call, requantised in the tiles
    /// (double rounding).
    case runs
    /// 16 output pixels in the lanes of a vector, the whole op in one C call.
    case lanes

    public var name: StaticString {
        switch self {
        case .direct: "direct"
        case .pairs: "pairs"
        case .tiles: "tiles"
        case .runs: "runs"
        case .lanes: "lanes"
        }
    }
}

/// How an op takes part in a conv2D + 2x2 max pool step (`KernelSet.conv2DMaxPool2x2`), when
/// `predict` is not asked for layer outputs.
public enum MaxPoolFusion: UInt8, Sendable {
    case none
    /// This conv2D's step also runs the next op, the max pool, as a pass over its output.
    case afterConvolution
    /// This conv2D's kernel pools too: the tile or lane maximum is requantised, and the
    /// convolution's output is not written (docs/quantization.md, "Fused max pool").
    case inKernel
    /// This max pool runs in the step of the conv2D before it.
    case intoPrevious

    public var name: StaticString {
        switch self {
        case .none: "none"
        case .afterConvolution: "after-convolution"
        case .inKernel: "in-kernel"
        case .intoPrevious: "into-previous"
        }
    }
}

/// How the packed conv2D kernels gather the receptive fields that cross the image border.
public enum GatherVariant: UInt8, Sendable {
    case portable
    /// Masked AVX-512 loads (fz_avx512_gather).
    case avx512

    public var name: StaticString {
        switch self {
        case .portable: "portable"
        case .avx512: "avx512"
        }
    }
}

/// One op's plan: the fixed-size record `Model.packWeights` writes for every op at the start of
/// the packed buffer, read by `predict`, `run(op:)` and the fast kernels.
public struct KernelPlan: Equatable, Sendable {
    public var variant: KernelVariant
    public var mode: KernelMode
    public var maxPool: MaxPoolFusion
    public var gather: GatherVariant
    /// The CPU features the plan was decided for (none for a set without packed kernels).
    public var features: CPUFeatures
    @usableFromInline var offset: Int
    @usableFromInline var byteCount: Int

    @inlinable
    public init(
        variant: KernelVariant, mode: KernelMode, maxPool: MaxPoolFusion = .none, gather: GatherVariant = .portable,
        features: CPUFeatures = .baseline
    ) {
        self.variant = variant
        self.mode = mode
        self.maxPool = maxPool
        self.gather = gather
        self.features = features
        offset = 0
        byteCount = 0
    }

    /// The plan of every op run without a packed buffer: the canonical weights, portable loops,
    /// no fused steps, no CPU feature used.
    @inlinable public static var canonical: KernelPlan { KernelPlan(variant: .portable, mode: .direct) }

    /// Where the op's packed weights start in the packed buffer, and their bytes (0: the op
    /// reads the canonical weights).
    @inlinable public var packedOffset: Int { offset }
    @inlinable public var packedByteCount: Int { byteCount }

    /// Whether `predict` runs this conv2D and the max pool after it as one step.
    @inlinable public var fusesMaxPool: Bool { maxPool == .afterConvolution || maxPool == .inKernel }
}

// The planner.

extension KernelPlan {
    /// The plan of a conv2D op `p` for `features`; `fusingMaxPool`: a 2x2 max pool after it
    /// runs in the same step. The rules, in order:
    /// 1. a kernel row (`kernelWidth * inChannels`) over `Fast.maximumPackedField` bytes keeps
    ///    the canonical weights; a receptive field over it, in whole kernel rows that fit, runs
    ///    the int16 pairs or int8 rows in chunks (`Fast.chunkRows`), never pixel lanes or quad tiles;
    /// 2. x86-64: pixel lanes with VNNI and VBMI where `pixelLanesApply`, else quad tiles with
    ///    VNNI where `quadTilesApply`, else int16 pairs (AVX2, else SSE2); the tiles and pairs
    ///    gather borders with AVX-512 wherever VNNI is there;
    /// 3. aarch64: quad tiles where `quadTilesApply` (sdot when built for the dot product, else
    ///    smull), else int8 rows;
    /// 4. elsewhere the portable int16 pairs;
    /// 5. quad tiles run whole rows in C and requantise in the tiles with double rounding,
    ///    else tile by tile; a fused max pool is done in the kernel by pixel lanes and by quad
    ///    tiles with double rounding, after the convolution otherwise.
    public init(conv2D p: ConvolutionParameters, features: CPUFeatures, fusingMaxPool: Bool = false) {
        self.init(variant: .portable, mode: .direct, features: features)
        let field = p.kernelHeight * p.kernelWidth * p.input.channels
        let whole = field <= Fast.maximumPackedField
        if p.kernelWidth * p.input.channels <= Fast.maximumPackedField {
            #if arch(x86_64)
            if whole && features.contains(CPUFeatures.avx512vnni.union(.avx512vbmi)) && Self.pixelLanesApply(p) {
                (variant, mode) = (.avx512PixelLanes, .lanes)
            } else {
                if whole && features.contains(.avx512vnni) && Self.quadTilesApply(p) {
                    variant = .avx512QuadTiles
                } else {
                    (variant, mode) = (features.contains(.avx2) ? .avx2Pairs : .sse2Pairs, .pairs)
                }
                gather = features.contains(.avx512vnni) ? .avx512 : .portable
            }
            #elseif arch(arm64)
            if whole && Self.quadTilesApply(p) {
                variant = features.contains(.dotProduct) ? .neonSdotQuads : .neonSmullQuads
            } else {
                (variant, mode) = (.neonRows, .pairs)
            }
            #else
            (variant, mode) = (.portablePairs, .pairs)
            #endif
            if variant == .avx512QuadTiles || variant == .neonSmullQuads || variant == .neonSdotQuads {
                mode = p.rounding == .double ? .runs : .tiles
            }
        }
        if fusingMaxPool {
            maxPool = mode == .lanes || mode == .runs ? .inKernel : .afterConvolution
        }
    }

    /// The plan of a fully connected op (int8 or head accumulators) for `features`.
    public init(fullyConnectedFor features: CPUFeatures) {
        #if arch(x86_64)
        self.init(variant: features.contains(.avx512vnni) ? .avx512Dot : .portable, mode: .direct, features: features)
        #else
        self.init(variant: .portable, mode: .direct, features: features)
        #endif
    }

    /// The plan of an add for `features`: 16 elements at a time with AVX2 on x86-64 (where it is)
    /// and NEON on aarch64, else portable.
    public init(addFor features: CPUFeatures) {
        #if arch(x86_64)
        self.init(variant: features.contains(.avx2) ? .avx2Elementwise : .portable, mode: .direct, features: features)
        #elseif arch(arm64)
        self.init(variant: .neonElementwise, mode: .direct, features: features)
        #else
        self.init(variant: .portable, mode: .direct, features: features)
        #endif
    }

    #if arch(x86_64) || arch(arm64)
    /// Whether quad tiles can run op `p`: its kernel rows and gathered field fit the tiles'
    /// stack buffers.
    static func quadTilesApply(_ p: ConvolutionParameters) -> Bool {
        p.kernelHeight <= Fast.quadMaximumRows && p.kernelHeight * Fast.quadRowStride(p) <= Fast.quadFieldCapacity
    }
    #endif

    #if arch(x86_64)
    /// Whether pixel lanes can run op `p`: stride 1 along x (at most 3 along y), double
    /// rounding, kernel rows of at least 4 bytes (a quad then spans at most two), a field of at
    /// most 32 bytes, and the input bytes of 16 pixels' windows within one 64-byte row load.
    static func pixelLanesApply(_ p: ConvolutionParameters) -> Bool {
        let rowLength = p.kernelWidth * p.input.channels
        return p.strideWidth == 1 && p.strideHeight <= 3 && p.rounding == .double && rowLength >= 4
            && p.kernelHeight * rowLength <= 32 && 15 * p.input.channels + rowLength <= 64
    }
    #endif
}

extension Model {
    /// Op `index`'s plan for `features` (without its place in a packed buffer): conv2D, fully
    /// connected and add ops by `KernelPlan.init(conv2D:features:fusingMaxPool:)`,
    /// `init(fullyConnectedFor:)` and `init(addFor:)`, every other op portable. A conv2D fuses with the 2x2 max pool
    /// right after it when that pool is the only reader of its output. `features` nil: a kernel
    /// set without packed kernels, every op portable (but still fused).
    public func kernelPlan(op index: Int, features: CPUFeatures?) -> KernelPlan {
        let o = op(index)
        // 16x8 ops run the sets' wide kernels on the canonical weights (docs/quantization.md
        // "16-bit activations").
        if o.isWide { return KernelPlan(variant: .portable, mode: .direct, features: features ?? .baseline) }
        switch o.kind {
        case .conv2D:
            let fusing = maxPoolFollows(index)
            guard let features else {
                return KernelPlan(variant: .portable, mode: .direct, maxPool: fusing ? .afterConvolution : .none)
            }
            return KernelPlan(conv2D: convolutionParameters(o), features: features, fusingMaxPool: fusing)
        case .fullyConnected, .fullyConnectedAccumulators:
            return KernelPlan(fullyConnectedFor: features ?? .baseline)
        case .add:
            guard let features else { return KernelPlan(variant: .portable, mode: .direct) }
            return KernelPlan(addFor: features)
        case .maxPool2x2 where index > 0 && maxPoolFollows(index - 1):
            return KernelPlan(variant: .portable, mode: .direct, maxPool: .intoPrevious, features: features ?? .baseline)
        default:
            return KernelPlan(variant: .portable, mode: .direct, features: features ?? .baseline)
        }
    }

    /// Whether op `index` is a conv2D whose output is read only by the 2x2 max pool right after it.
    func maxPoolFollows(_ index: Int) -> Bool {
        let o = op(index)
        guard o.kind == .conv2D, !o.isWide, index + 1 < opCount else { return false }
        let next = op(index + 1)
        guard next.kind == .maxPool2x2, next.input == o.output else { return false }
        for later in (index + 2)..<opCount where op(later).input == o.output { return false }
        return true
    }

    /// The plan `predict` and `run(op:)` follow for op `index`: the record in `packedWeights`
    /// (a buffer `packWeights` filled), or `KernelPlan.canonical` without one.
    @inlinable
    public func kernelPlan(op index: Int, packedWeights: UnsafeRawPointer?) -> KernelPlan {
        guard let packedWeights else { return .canonical }
        return packedWeights.load(fromByteOffset: index * MemoryLayout<KernelPlan>.stride, as: KernelPlan.self)
    }
}
