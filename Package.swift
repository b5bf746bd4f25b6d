// swift-tools-version: 6.1
// Facelyzr: gender, age and facial attributes from a centered face, int8 on ARM boards.
// One target per responsibility; see README.md "Layout".
import PackageDescription

let package = Package(
    name: "Facelyzr",
    products: [
        .executable(name: "facelyzr", targets: ["facelyzr"]),
        .executable(name: "facelyzr-run-host", targets: ["facelyzr-run-host"]),
        .library(name: "FacelyzrRuntime", targets: ["FacelyzrRuntime"]),
        .library(name: "FacelyzrCAPI", targets: ["FacelyzrCAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
        // ONNX model import only (FacelyzrModelImport); generated code is committed, no plugin.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Header-only intrinsics of the runtime's fast kernels (no library is linked).
        .systemLibrary(name: "CFacelyzrSIMD"),
        // Int8 runtime: blob format, kernels, executor. No dependencies, no Foundation;
        // also compiled as Embedded Swift by tools/embedded/build.sh.
        .target(
            name: "FacelyzrRuntime", dependencies: ["CFacelyzrSIMD"],
            // The kernels' measured gain (docs/benchmarks.md): no overflow or bounds traps, no
            // exclusivity checks in release builds. Unsafe flags: fine for the root package.
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The one deterministic pseudo-random generator (SplitMix64): synthetic faces, shuffles,
        // trainer initialisation, random-weight models. No dependencies, no Foundation, Embedded-safe.
        .target(name: "FacelyzrRandom"),
        // Pixel operations shared by data preparation and the localiser (the camera path's
        // too): separable resampling into caller buffers. No dependencies, no Foundation;
        // allocation-free and Embedded-safe (tools/embedded/build.sh).
        .target(name: "FacelyzrImaging"),
        // The synthetic face generator (latents, renderer), deterministic from (seed, index).
        // Depends on FacelyzrRandom only, no Foundation; Embedded-safe (tools/synthetic-cross-isa.sh).
        .target(name: "FacelyzrSynthetic", dependencies: ["FacelyzrRandom"]),
        // Host-side blob tools: the builder (tests, quantizer), inspection report.
        .target(name: "FacelyzrBlobBuilder", dependencies: ["FacelyzrRuntime", "FacelyzrRandom"]),
        // The C interface (`include/facelyzr.h`, `@_cdecl` entry points) over the runtime;
        // tools/embedded/build.sh compiles it as Embedded Swift into libfacelyzr.a.
        .target(name: "FacelyzrCAPI", dependencies: ["FacelyzrRuntime", "FacelyzrDetection", "FacelyzrImaging"], exclude: ["include"]),
        // Face localisation over the runtime: image pyramid, sliding window, non-maximum
        // suppression; allocation-free in a caller workspace, no Foundation.
        .target(
            name: "FacelyzrDetection", dependencies: ["FacelyzrRuntime", "FacelyzrImaging"],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // Files: one reader (whole file or at offsets) and one atomic writer (temporary file,
        // fsync, rename), with errors naming the file. No dependencies, no Foundation.
        .target(name: "FacelyzrFiles"),
        // The host's loaded model: the blob in aligned memory, validated, weights packed once,
        // arena and outputs reused (no allocation per predict), labelled predictions.
        .target(name: "FacelyzrHost", dependencies: ["FacelyzrRuntime", "FacelyzrFiles"]),
        // Scores of the localiser's evaluation (ROC AUC, average precision); host only, they allocate.
        .target(name: "FacelyzrDetectionEvaluation"),
        // Counts heap allocations of predict in its own process (LD_PRELOAD malloc counter).
        .executableTarget(
            name: "facelyzr-alloc-probe",
            dependencies: [
                "FacelyzrHost", "FacelyzrRuntime", "FacelyzrDetection",
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ]
        ),
        // Writes the random-weight blobs and inputs of the cross-ISA check and allocation tests.
        .executableTarget(
            name: "facelyzr-embedded-fixtures",
            dependencies: ["FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrRandom", "FacelyzrHost", "FacelyzrFiles"]
        ),

        // Image I/O: a C shim over libpng and libjpeg-turbo that owns setjmp error handling
        // (and zlib's CRC-32 for the dataset format).
        .target(
            name: "CImageIO",
            linkerSettings: [.linkedLibrary("png"), .linkedLibrary("jpeg"), .linkedLibrary("z")]
        ),
        // Data: images, resampling, synthetic faces, dataset format and importers.
        .target(name: "FacelyzrData", dependencies: ["CImageIO", "FacelyzrRandom", "FacelyzrFiles", "FacelyzrImaging", "FacelyzrSynthetic"]),

        // The run-side commands, `analyze`, `detect` and `stream` (the board runner's detection mode,
    // through the C API's Swift code), with the face finder they share: the
        // `facelyzr` subcommands and `facelyzr-run-host`. No quantizer, trainer or OpenBLAS
        // (tools/run-host-dependencies.sh checks).
        .target(
            name: "FacelyzrRunCommands",
            dependencies: [
                "FacelyzrHost", "FacelyzrData", "FacelyzrDetection", "FacelyzrFiles", "FacelyzrCAPI", "FacelyzrImaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `facelyzr-run-host analyze|detect`: the host twin of the board runner (tools/embedded/facelyzr-run.c).
        .executableTarget(
            name: "facelyzr-run-host",
            dependencies: ["FacelyzrRunCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // OpenBLAS (cblas_sgemm) for the float trainer only.
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        // Float trainer: tensors, layers with forward/backward, SDAE, heads, checkpoints.
        // Depends on the runtime only for its vocabulary (Padding), so both read one padding rule.
        .target(name: "FacelyzrTrainer", dependencies: ["FacelyzrRuntime", "FacelyzrData", "FacelyzrRandom", "FacelyzrFiles", "CBLAS"]),
        // Quantizer: float network to int8 blob (calibration, per-channel weights), model card, drift.
        .target(
            name: "FacelyzrQuantizer",
            dependencies: ["FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrTrainer", "FacelyzrData", "FacelyzrHost", "FacelyzrFiles", "CBLAS"]
        ),
        // TFLite flatbuffers behind a plain C API: flatbuffers' Verifier and flatc's accessors
        // (generated from TFLite's schema.fbs, committed; Debian's libflatbuffers-dev headers).
        .target(name: "CFacelyzrTFLite", exclude: ["Generated/README.md"]),
        // Float models from ONNX and TFLite: protobuf parsing (committed generated code), the
        // TFLite C view, topological order, static shapes, import-time folding, and the float
        // checkpoint the quantizer reads.
        .target(
            name: "FacelyzrModelImport",
            dependencies: ["FacelyzrRuntime", "FacelyzrTrainer", "FacelyzrQuantizer", "FacelyzrFiles", "CFacelyzrTFLite", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Generated/README.md"]
        ),

        // The `facelyzr` command line.
        .executableTarget(
            name: "facelyzr",
            dependencies: [
                "FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrData", "FacelyzrSynthetic", "FacelyzrTrainer", "FacelyzrQuantizer",
                "FacelyzrDetection", "FacelyzrDetectionEvaluation", "FacelyzrFiles", "FacelyzrHost", "FacelyzrRunCommands",
                "FacelyzrModelImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),  // bench
            ],
            // Installed (tools/packaging/install.sh), the interposer's library is in PREFIX/lib/facelyzr.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../lib/facelyzr"])]
        ),

        // What the test targets share: the test models and tiny networks, and the locator and
        // runner of the package's executables (a library, not a test target, so tests can import it).
        .target(
            name: "FacelyzrTestSupport",
            dependencies: [
                "FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrRandom", "FacelyzrData", "FacelyzrTrainer", "FacelyzrQuantizer",
                "FacelyzrHost",
            ],
            path: "Tests/FacelyzrTestSupport"
        ),
        // The runtime: kernels, numerics, the validator and the executor (test blobs come from
        // the builder).
        .testTarget(
            name: "FacelyzrRuntimeTests",
            dependencies: ["FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrRandom", "FacelyzrTestSupport", "FacelyzrHost", "FacelyzrFiles"],
            exclude: ["Golden", "Fixtures"]  // oracle vectors and format-version blobs, read through #filePath
        ),
        .testTarget(
            name: "FacelyzrBlobBuilderTests", dependencies: ["FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrRandom", "FacelyzrTestSupport"]
        ),
        .testTarget(name: "FacelyzrCAPITests", dependencies: ["FacelyzrCAPI", "FacelyzrBlobBuilder", "FacelyzrHost", "FacelyzrDetection", "FacelyzrImaging", "FacelyzrData"]),
        .testTarget(name: "FacelyzrFilesTests", dependencies: ["FacelyzrFiles"]),
        .testTarget(name: "FacelyzrImagingTests", dependencies: ["FacelyzrImaging", "FacelyzrData", "FacelyzrRandom"]),
        .testTarget(name: "FacelyzrHostTests", dependencies: ["FacelyzrHost", "FacelyzrRuntime", "FacelyzrFiles", "FacelyzrTestSupport"]),
        .testTarget(
            name: "FacelyzrAllocationTests", dependencies: ["facelyzr-alloc-probe", "facelyzr-embedded-fixtures", "FacelyzrTestSupport"]
        ),
        .testTarget(name: "FacelyzrDataTests", dependencies: ["FacelyzrData", "FacelyzrRandom", "FacelyzrFiles", "FacelyzrSynthetic", "FacelyzrImaging"]),
        .testTarget(
            name: "FacelyzrDetectionTests",
            dependencies: ["FacelyzrDetection", "FacelyzrDetectionEvaluation", "FacelyzrImaging", "FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrData"]
        ),
        .testTarget(name: "FacelyzrTrainerTests", dependencies: ["FacelyzrTrainer", "FacelyzrData", "FacelyzrSynthetic", "FacelyzrRandom", "FacelyzrFiles"]),
        .testTarget(
            name: "FacelyzrQuantizerTests",
            dependencies: [
                "FacelyzrQuantizer", "FacelyzrRuntime", "FacelyzrBlobBuilder", "FacelyzrTrainer", "FacelyzrData", "FacelyzrRandom",
                "FacelyzrTestSupport", "FacelyzrHost", "FacelyzrFiles",
            ]
        ),
        .testTarget(
            name: "FacelyzrModelImportTests",
            dependencies: ["FacelyzrModelImport", "FacelyzrTrainer", "FacelyzrQuantizer", "FacelyzrTestSupport", "FacelyzrRandom"],
            exclude: ["Fixtures"]  // ONNX and TFLite fixtures and their runtimes' expected outputs, read through #filePath
        ),
        // The `facelyzr` command line (and `facelyzr-run-host`) as users and CI jobs run it: the built executable in a child process.
        .testTarget(
            name: "FacelyzrCLITests",
            dependencies: ["facelyzr", "facelyzr-run-host", "FacelyzrTestSupport", "FacelyzrTrainer", "FacelyzrData", "FacelyzrSynthetic"]
        ),
    ]
)
