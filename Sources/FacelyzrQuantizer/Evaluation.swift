import FacelyzrData
import FacelyzrHost
import FacelyzrRuntime
import FacelyzrTrainer

/// Held-out faces the drift report and the model card evaluate on: only the test split.
public struct EvaluationSet: Sendable {
    public var faces: [LabelledFace]
    /// `SplitFaces.description`.
    public var description: String

    /// Reads the faces of `test` (`progress` every 1,000 faces).
    public init(_ test: SplitFaces<TestSplit>, progress: (String) -> Void = { _ in }) throws(QuantizerError) {
        var faces: [LabelledFace] = []
        faces.reserveCapacity(test.count)
        for i in 0..<test.count {
            do { faces.append(try test.face(i)) } catch { throw .data(error) }
            if (i + 1) % 1000 == 0 { progress("test faces: \(i + 1)/\(test.count)") }
        }
        self.faces = faces
        description = test.description
    }

    /// The label a head output is scored against: years for a regression output named `age`,
    /// 1/0 for a binary output named `male` (gender) or after a CelebA attribute (any letter case).
    public func target(label: String, kind: HeadKind, face: LabelledFace) -> Double? {
        let l = face.labels
        if kind == .regression {
            return label.lowercased() == "age" ? l.age.map(Double.init) : nil
        }
        if label.lowercased() == "male" { return l.gender.map { $0 == 1 ? 1 : 0 } }
        guard let attribute = CelebAAttribute.allCases.first(where: { $0.name.lowercased() == label.lowercased() }),
              let value = l.attributes[attribute] else { return nil }
        return value ? 1 : 0
    }
}

/// The heads of a model as the drift report names them.
public struct HeadLayout: Sendable, Equatable {
    public var name: String
    public var kind: HeadKind
    public var labels: [String]
    /// An expected-value head's bin values, one per label; empty for other kinds.
    public var values: [Float] = []
}

/// Real head outputs (logits, years) of a float graph or an int8 blob on evaluation faces.
public protocol HeadPredictor {
    var headLayout: [HeadLayout] { get }
    /// One row per face, `outputCount` values (heads in order).
    func predict(_ faces: [LabelledFace], progress: (String) -> Void) -> [[Float]]
}

extension FloatGraph: HeadPredictor {
    public var headLayout: [HeadLayout] { heads.map { HeadLayout(name: $0.name, kind: $0.kind, labels: $0.labels, values: $0.values) } }

    public func predict(_ faces: [LabelledFace], progress: (String) -> Void) -> [[Float]] {
        var rows: [[Float]] = []
        for start in stride(from: 0, to: faces.count, by: 64) {
            let batch = faces[start..<min(start + 64, faces.count)]
            let outputs = forward(normalize(batch.flatMap(\.pixels), count: batch.count))
            rows += headOutputs(outputs, batch: batch.count)
            progress("float: \(rows.count)/\(faces.count)")
        }
        return rows
    }
}

extension LoadedModel: HeadPredictor {
    /// The blob's heads: name, kind, output labels (and bin values).
    public var headLayout: [HeadLayout] {
        (0..<model.headCount).map { h in
            let head = model.head(h)
            let outputs = head.firstOutput..<(head.firstOutput + head.outputCount)
            return HeadLayout(
                name: String(decoding: head.name, as: UTF8.self), kind: head.kind,
                labels: outputs.map { String(decoding: model.outputLabel($0), as: UTF8.self) },
                values: head.kind == .expectedValue ? outputs.map { model.outputValue($0) } : [])
        }
    }

    public func predict(_ faces: [LabelledFace], progress: (String) -> Void) -> [[Float]] {
        var rows: [[Float]] = []
        rows.reserveCapacity(faces.count)
        for face in faces {
            rows.append(headOutputs(face.pixels))
            if rows.count % 500 == 0 || rows.count == faces.count { progress("int8: \(rows.count)/\(faces.count)") }
        }
        return rows
    }
}
