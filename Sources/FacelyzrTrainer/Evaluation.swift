import FacelyzrData
import FacelyzrRandom

/// Scores of a network on held-out faces: gender, age, attributes, and the same broken down by
/// true gender and by age band. The definitions are in docs/training.md ("Evaluation").
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// Scores of one group of faces (all faces, one gender, or one age band).
    public struct Scores: Codable, Sendable, Equatable {
        /// The group: `all`, `male`, `female`, or an age band such as `20-39`.
        public var group: String
        /// Faces in the group.
        public var faces: Int
        /// Faces with a known gender, and the fraction of them predicted right (logit > 0 means male).
        public var genderCount: Int
        public var genderAccuracy: Float?
        /// The mean of the accuracy on men and on women (chance is 0.5 whatever the balance).
        public var genderBalancedAccuracy: Float?
        /// Faces with a known age, and the mean absolute and root mean square error in years.
        public var ageCount: Int
        public var ageMAE: Float?
        public var ageRMSE: Float?
        /// Per attribute name: the fraction of known labels predicted right (logit > 0 means present).
        public var attributeAccuracy: [String: Float]
        /// The mean of `attributeAccuracy` over the attributes with known labels.
        public var meanAttributeAccuracy: Float?
    }

    /// Every face.
    public var overall: Scores
    /// By true gender: `male`, `female` (faces of unknown gender are in no group).
    public var byGender: [Scores]
    /// By true age: `EvaluationReport.ageBands` (faces of unknown age are in no group).
    public var byAgeBand: [Scores]

    /// Age bands of the breakdown: lower bound (years, inclusive) and name; each runs to the next.
    public static let ageBands: [(lower: Float, name: String)] = [(0, "0-12"), (13, "13-19"), (20, "20-39"), (40, "40-59"), (60, "60+")]
}

/// Collects head outputs and targets batch by batch, then computes an `EvaluationReport`.
/// Heads are recognised by their labels: `male` (binary) is gender, `age` (regression or expected
/// value, `HeadSpec.predictions`) is age, every other binary label an attribute.
public struct Evaluator: Sendable {
    private let architecture: Architecture
    private var records: [FaceRecord] = []

    /// One face: the predictions and targets it has (NaN target = unknown label).
    private struct FaceRecord {
        var genderLogit: Float = .nan, gender: Float = .nan
        var agePrediction: Float = .nan, age: Float = .nan
        var attributes: [(name: String, logit: Float, target: Float)] = []
    }

    public init(architecture: Architecture) {
        self.architecture = architecture
    }

    /// Adds a batch: `outputs` are the raw head outputs (`Network.forward`), `targets` the
    /// per-head targets of `TrainingFaces.batch`, both in the architecture's head order.
    public mutating func add(outputs: [Tensor], targets: [Tensor]) {
        let batch = targets.first.map { $0.shape[0] } ?? 0
        let predictions = architecture.heads.indices.map { architecture.heads[$0].predictions(outputs[$0]) }
        for n in 0..<batch {
            var face = FaceRecord()
            for (h, head) in architecture.heads.enumerated() {
                let width = head.labels.count
                for (j, label) in head.labels.enumerated() {
                    let y = predictions[h].values[n * width + j], t = targets[h].values[n * width + j]
                    switch (head.task, label) {
                    case (.binary, "male"): (face.genderLogit, face.gender) = (y, t)
                    case (.regression, "age"), (.expectedValue, "age"): (face.agePrediction, face.age) = (y, t)
                    case (.binary, _): face.attributes.append((label, y, t))
                    case (.regression, _), (.expectedValue, _): break
                    }
                }
            }
            records.append(face)
        }
    }

    /// The scores of everything added so far.
    public func report() -> EvaluationReport {
        let men = records.filter { $0.gender == 1 }, women = records.filter { $0.gender == 0 }
        let bands = EvaluationReport.ageBands
        return EvaluationReport(
            overall: Self.scores("all", records),
            byGender: [Self.scores("male", men), Self.scores("female", women)],
            byAgeBand: bands.indices.map { b in
                let upper = b + 1 < bands.count ? bands[b + 1].lower : .infinity
                return Self.scores(bands[b].name, records.filter { $0.age >= bands[b].lower && $0.age < upper })
            })
    }

    private static func scores(_ group: String, _ faces: [FaceRecord]) -> EvaluationReport.Scores {
        func fraction(_ hits: Int, _ count: Int) -> Float? { count == 0 ? nil : Float(hits) / Float(count) }
        let gendered = faces.filter { !$0.gender.isNaN }
        let right = gendered.filter { ($0.genderLogit > 0) == ($0.gender > 0.5) }
        let menRight = fraction(right.filter { $0.gender > 0.5 }.count, gendered.filter { $0.gender > 0.5 }.count)
        let womenRight = fraction(right.filter { $0.gender <= 0.5 }.count, gendered.filter { $0.gender <= 0.5 }.count)
        let balanced: Float? = switch (menRight, womenRight) {
        case let (m?, w?): (m + w) / 2
        case let (m?, nil): m
        case let (nil, w?): w
        case (nil, nil): nil
        }
        let aged = faces.filter { !$0.age.isNaN }
        let errors = aged.map { Double($0.agePrediction - $0.age) }
        var hits: [String: (right: Int, known: Int)] = [:]
        var order: [String] = []
        for face in faces {
            for a in face.attributes {
                if hits[a.name] == nil { order.append(a.name) }
                var h = hits[a.name, default: (0, 0)]
                if !a.target.isNaN {
                    h.known += 1
                    if (a.logit > 0) == (a.target > 0.5) { h.right += 1 }
                }
                hits[a.name] = h
            }
        }
        let known = order.compactMap { name in fraction(hits[name]!.right, hits[name]!.known).map { (name, $0) } }
        let accuracy = Dictionary(uniqueKeysWithValues: known)
        return EvaluationReport.Scores(
            group: group, faces: faces.count,
            genderCount: gendered.count, genderAccuracy: fraction(right.count, gendered.count), genderBalancedAccuracy: balanced,
            ageCount: aged.count,
            ageMAE: aged.isEmpty ? nil : Float(errors.map(abs).reduce(0, +) / Double(aged.count)),
            ageRMSE: aged.isEmpty ? nil : Float((errors.map { $0 * $0 }.reduce(0, +) / Double(aged.count)).squareRoot()),
            attributeAccuracy: accuracy,
            meanAttributeAccuracy: known.isEmpty ? nil : known.map(\.1).reduce(0, +) / Float(known.count))
    }
}

extension Network {
    /// Runs the network (inference mode) over the images `indices` of `data`, `batchSize` at a
    /// time, and scores it.
    public mutating func evaluate(_ data: TrainingFaces<TestSplit>, indices: [Int], batchSize: Int = 64) throws -> EvaluationReport {
        var evaluator = Evaluator(architecture: architecture)
        var unused = SplitMix64(state: 0)
        for start in stride(from: 0, to: indices.count, by: max(batchSize, 1)) {
            let (input, targets) = try data.batch(Array(indices[start..<min(start + batchSize, indices.count)]))
            evaluator.add(outputs: forward(input, training: false, generator: &unused), targets: targets)
        }
        return evaluator.report()
    }
}
