import FacelyzrData
import FacelyzrFiles
import FacelyzrRandom
import Foundation

/// Why a checkpoint could not be read or written; every case names the file.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(SafetensorsError)
    case cannotWrite(FileError)
    /// The metadata does not encode as JSON (a non-finite number in the plan).
    case unencodableMetadata(file: String, reason: String)
    /// The safetensors file lacks Facelyzr's metadata or it does not decode.
    case notACheckpoint(file: String, reason: String)
    case missingTensor(file: String, name: String)
    case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .unreadable(let e): "\(e)"
        case .cannotWrite(let e): "\(e)"
        case .unencodableMetadata(let file, let reason): "\(file): cannot write the checkpoint's metadata as JSON: \(reason)"
        case .notACheckpoint(let file, let reason): "\(file): not a Facelyzr checkpoint: \(reason)"
        case .missingTensor(let file, let name): "\(file): checkpoint lacks tensor \(name)"
        case .shapeMismatch(let file, let name, let expected, let found):
            "\(file): tensor \(name) has shape \(found), the architecture needs \(expected)"
        }
    }
}

/// Where a training run stands.
public enum TrainingPhase: Codable, Sendable, Hashable {
    /// Denoising-autoencoder pre-training of encoder block `block` (its `block`-th convolution).
    case pretraining(block: Int)
    /// Heads (and, when fine-tuning, the encoder) on the labels.
    case supervised
    case finished
}

/// Everything a checkpoint says besides its tensors (JSON in the safetensors `__metadata__`
/// under the key `facelyzr`).
public struct CheckpointMetadata: Codable, Sendable, Equatable {
    /// The value of `__metadata__["format"]`.
    public static let formatName = "facelyzr-checkpoint-1"

    public var architecture: Architecture
    /// The labels are those of `architecture.heads`.
    public var inputNormalization: InputNormalization
    /// Where the training data came from (generator and seed, dataset and split, ...).
    public var dataProvenance: String
    public var plan: TrainingPlan
    public var phase: TrainingPhase
    public var stepInPhase: Int
    public var totalSteps: Int
    /// The phase optimizer's step; nil between phases (no optimizer state stored).
    public var optimizerStep: Int?
    /// The run's `SplitMix64` state, 16 hex digits.
    public var randomState: String

    public init(architecture: Architecture, inputNormalization: InputNormalization, dataProvenance: String, plan: TrainingPlan,
                phase: TrainingPhase, stepInPhase: Int, totalSteps: Int, optimizerStep: Int?, randomState: String) {
        self.architecture = architecture
        self.inputNormalization = inputNormalization
        self.dataProvenance = dataProvenance
        self.plan = plan
        self.phase = phase
        self.stepInPhase = stepInPhase
        self.totalSteps = totalSteps
        self.optimizerStep = optimizerStep
        self.randomState = randomState
    }
}

/// A float checkpoint: a safetensors file with the network's parameters (`encoder.*`, `heads.*`),
/// during pre-training the current decoder (`sdae.decoder.*`), the optimizer's moments
/// (`optimizer.first.<parameter>`, `optimizer.second.<parameter>`) and `CheckpointMetadata`.
public struct Checkpoint: Sendable, Equatable {
    public var metadata: CheckpointMetadata
    public var tensors: [String: Tensor]

    public init(metadata: CheckpointMetadata, tensors: [String: Tensor]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// Writes the checkpoint atomically (temporary file, fsync, rename).
    public func write(to path: String) throws(CheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded: Data
        do { encoded = try encoder.encode(metadata) } catch { throw .unencodableMetadata(file: path, reason: "\(error)") }
        let json = String(decoding: encoded, as: UTF8.self)
        let file = SafetensorsFile(tensors: tensors, metadata: ["format": CheckpointMetadata.formatName, "facelyzr": json])
        do { try file.write(to: path) } catch { throw .cannotWrite(error) }
    }

    /// Reads and validates a checkpoint's file and metadata (the tensors are checked against the
    /// architecture by `network(file:)`).
    public static func read(from path: String) throws(CheckpointError) -> Checkpoint {
        let file: SafetensorsFile
        do { file = try SafetensorsFile.read(from: path) } catch { throw .unreadable(error) }
        guard file.metadata["format"] == CheckpointMetadata.formatName else {
            throw .notACheckpoint(file: path, reason: "__metadata__.format is not \(CheckpointMetadata.formatName)")
        }
        guard let json = file.metadata["facelyzr"] else {
            throw .notACheckpoint(file: path, reason: "no __metadata__.facelyzr")
        }
        do {
            let metadata = try JSONDecoder().decode(CheckpointMetadata.self, from: Data(json.utf8))
            return Checkpoint(metadata: metadata, tensors: file.tensors)
        } catch {
            throw .notACheckpoint(file: path, reason: "__metadata__.facelyzr: \(DecodingProblem.describe(error))")
        }
    }

    /// Copies the tensors named `prefix + name` into the parameters of `container`, checking shapes.
    func load<C: ParameterContainer>(into container: inout C, prefix: String, file: String) throws(CheckpointError) {
        var failure: CheckpointError?
        container.visitParameters { name, p in
            guard failure == nil else { return }
            guard let t = tensors[prefix + name] else { failure = .missingTensor(file: file, name: prefix + name); return }
            guard t.shape == p.value.shape else {
                failure = .shapeMismatch(file: file, name: prefix + name, expected: p.value.shape, found: t.shape)
                return
            }
            p.value = t
        }
        if let failure { throw failure }
    }

    /// The network the checkpoint holds (for evaluation and quantization). `file` names the source in errors.
    public func network(file: String) throws(CheckpointError) -> Network {
        var unused = SplitMix64(state: 0)
        var network: Network
        do { network = try Network(metadata.architecture, generator: &unused) } catch {
            throw .notACheckpoint(file: file, reason: "\(error)")
        }
        try load(into: &network, prefix: "", file: file)
        return network
    }
}

extension ParameterContainer {
    /// The parameters' values by name, each name prefixed with `prefix`.
    public mutating func parameterTensors(prefix: String = "") -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        visitParameters { name, p in result[prefix + name] = p.value }
        return result
    }
}
