import FacelyzrData
import FacelyzrFiles
import FacelyzrHost
import FacelyzrTrainer
import Foundation

/// `facelyzr quantize` as a library call: checkpoint in, blob and model card out. Files are
/// written only after everything else succeeded, together (`AtomicFileSet`): a failure leaves
/// neither the blob nor its cards, and the blob never exists without them.
public enum ModelExport {
    /// The card files beside `blobPath`: `x.blob` gives `x.card.json` and `x.card.md`.
    public static func cardPaths(for blobPath: String) -> (json: String, markdown: String) {
        let base = (blobPath as NSString).deletingPathExtension
        return (base + ".card.json", base + ".card.md")
    }

    /// Reads the checkpoint at `checkpointPath` as a float graph (typed errors for unreadable
    /// files, shapes that do not fit the architecture, non-finite weights).
    public static func loadGraph(_ checkpointPath: String) throws(QuantizerError) -> (graph: FloatGraph, checkpoint: Checkpoint) {
        let checkpoint: Checkpoint
        let network: Network
        do {
            checkpoint = try Checkpoint.read(from: checkpointPath)
            network = try checkpoint.network(file: checkpointPath)
        } catch {
            throw .checkpoint(error)
        }
        return (try FloatGraph(network, normalization: checkpoint.metadata.inputNormalization), checkpoint)
    }

    /// Quantizes the checkpoint, calibrating on the first `calibrationCount` faces of the
    /// calibration split of `source`, evaluates float and int8 on the first `evaluationCount`
    /// faces of its test split (0 skips), and writes the blob and its card. A missing output
    /// directory is reported first, before the calibration.
    public static func run(
        checkpointPath: String, source: any FaceSource, calibrationCount: Int?, evaluationCount: Int,
        options: QuantizationOptions, outPath: String, progress: (String) -> Void = { _ in }
    ) throws(QuantizerError) -> ModelCard {
        do { try AtomicFileWriter.checkDirectory(of: outPath) } catch { throw .file(error) }
        let checkpointBytes: [UInt8]
        do { checkpointBytes = try ReadOnlyFile.readAll(path: checkpointPath) } catch { throw .file(error) }
        let (graph, checkpoint) = try loadGraph(checkpointPath)
        return try run(graph: graph, origin: ModelCard.Source(checkpoint: checkpointPath, sha256: sha256Hex(checkpointBytes),
                                                             trainingData: checkpoint.metadata.dataProvenance),
                       source: source, calibrationCount: calibrationCount, evaluationCount: evaluationCount, options: options,
                       outPath: outPath, progress: progress)
    }

    /// `run` for a float graph made otherwise (`facelyzr import-model --blob`): `origin` names the
    /// file it came from for the card.
    public static func run(
        graph: FloatGraph, origin: ModelCard.Source, source: any FaceSource, calibrationCount: Int?, evaluationCount: Int,
        options: QuantizationOptions, outPath: String, progress: (String) -> Void = { _ in }
    ) throws(QuantizerError) -> ModelCard {
        do { try AtomicFileWriter.checkDirectory(of: outPath) } catch { throw .file(error) }
        let name = ((outPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let model = try Quantizer.quantize(graph, name: name, calibration: SplitFaces(source, limit: calibrationCount),
                                           options: options, progress: progress)
        let int8 = try LoadedModel(quantized: model.bytes)

        var evaluation: DriftReport?
        var groups: [ModelCard.Group] = []
        if evaluationCount > 0 {
            let set = try EvaluationSet(SplitFaces<TestSplit>(source, limit: evaluationCount), progress: progress)
            let run = try DriftEvaluation.run(
                reference: .float(graph, name: "float \(origin.checkpoint)"), candidate: int8, candidateName: "int8 \(outPath)",
                set: set, thresholds: DriftThresholds(), layerFaces: min(set.faces.count, 256), progress: progress)
            evaluation = run.report.summarisingRawHeads
            for (group, faces) in ModelCard.groups(set) {
                let report = DriftReport(reference: run.report.reference, candidate: run.report.candidate, set: set, faces: faces,
                                         layout: int8.headLayout, referenceOutputs: run.referenceOutputs,
                                         candidateOutputs: run.candidateOutputs)
                groups.append(ModelCard.Group(group: group, faces: faces.count, heads: report.summarisingRawHeads.heads))
            }
        }
        let inspection = int8.bytes
        func crc(_ offset: Int) -> String {
            let v = UInt32(inspection[offset]) | UInt32(inspection[offset + 1]) << 8 | UInt32(inspection[offset + 2]) << 16 | UInt32(inspection[offset + 3]) << 24
            return String(format: "0x%08x", v)
        }
        let card = ModelCard(
            name: name,
            blob: ModelCard.Blob(file: (outPath as NSString).lastPathComponent, byteCount: model.bytes.count,
                                 sha256: sha256Hex(model.bytes), headerChecksum: crc(32), payloadChecksum: crc(36)),
            source: origin,
            calibration: model.calibration, calibrationCount: model.calibrationCount, options: model.options,
            layers: model.layers, evaluation: evaluation, groups: groups,
            limitations: ModelCard.limitations(heads: int8.headLayout.map(\.name), evaluated: evaluation != nil))

        // The blob last: it never exists without its cards (AtomicFileSet).
        let paths = cardPaths(for: outPath)
        do {
            let files = AtomicFileSet()
            try files.add(Array(card.json.utf8), to: paths.json)
            try files.add(Array(card.markdown.utf8), to: paths.markdown)
            try files.add(model.bytes, to: outPath)
            try files.commit()
        } catch {
            throw .file(error)
        }
        return card
    }
}
