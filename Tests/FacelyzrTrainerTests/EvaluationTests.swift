import FacelyzrData
import FacelyzrRandom
import Testing
@testable import FacelyzrTrainer

/// The evaluation metrics on crafted predictions, worked by hand.
struct EvaluationTests {
    let architecture = Architecture(
        inputHeight: 4, inputWidth: 4, inputChannels: 3, encoder: [.globalAveragePool],
        heads: [
            HeadSpec(name: "gender", task: .binary, hidden: [], labels: ["male"]),
            HeadSpec(name: "age", task: .regression, hidden: [], labels: ["age"], outputScale: 10, outputOffset: 30),
            HeadSpec(name: "attributes", task: .binary, hidden: [], labels: ["Smiling", "Eyeglasses"]),
        ])

    /// Four faces: gender logits / truths, age outputs (unit scale) / years, attribute logits / truths.
    func report() -> EvaluationReport {
        let nan = Float.nan
        var evaluator = Evaluator(architecture: architecture)
        evaluator.add(
            outputs: [
                Tensor(shape: [4, 1], values: [2, -1, -3, 1]),          // says male, female, female, male
                Tensor(shape: [4, 1], values: [-2, 0, 1, 3]),           // says 10, 30, 40, 60 years
                Tensor(shape: [4, 2], values: [1, -1, 1, 1, -1, -1, -1, 1]),
            ],
            targets: [
                Tensor(shape: [4, 1], values: [1, 1, 0, nan]),          // male, male, female, unknown
                Tensor(shape: [4, 1], values: [12, 30, 44, 61]),        // errors -2, 0, -4, -1
                Tensor(shape: [4, 2], values: [1, 0, 0, nan, 0, 0, 1, 0]),
            ])
        return evaluator.report()
    }

    @Test func overallScoresMatchTheHandWorkedValues() throws {
        let all = report().overall
        #expect(all.faces == 4)
        #expect(all.genderCount == 3)
        #expect(all.genderAccuracy == Float(2) / 3)              // face 1 wrong
        #expect(all.genderBalancedAccuracy == (0.5 + 1) / 2)     // men 1/2, women 1/1
        #expect(all.ageCount == 4)
        #expect(abs(all.ageMAE! - 7.0 / 4) < 1e-6)
        #expect(abs(all.ageRMSE! - (21.0 / 4).squareRoot()) < 1e-6)
        // Smiling: right on faces 0, 2; wrong on 1, 3. Eyeglasses: right on 0, 2; unknown on 1; wrong on 3.
        #expect(all.attributeAccuracy == ["Smiling": 0.5, "Eyeglasses": Float(2) / 3])
        #expect(abs(all.meanAttributeAccuracy! - (0.5 + 2.0 / 3) / 2) < 1e-6)
    }

    @Test func breakdownsGroupFacesByTrueGenderAndAgeBand() throws {
        let r = report()
        #expect(r.byGender.map(\.group) == ["male", "female"])
        #expect(r.byGender.map(\.faces) == [2, 1])
        #expect(r.byGender[0].genderAccuracy == 0.5)
        #expect(r.byGender[1].ageMAE == 4)
        #expect(r.byAgeBand.map(\.group) == ["0-12", "13-19", "20-39", "40-59", "60+"])
        #expect(r.byAgeBand.map(\.faces) == [1, 0, 1, 1, 1])
        #expect(r.byAgeBand[0].ageMAE == 2 && r.byAgeBand[4].ageRMSE == 1)
        #expect(r.byAgeBand[1].genderAccuracy == nil && r.byAgeBand[1].ageMAE == nil)
        #expect(r.byAgeBand[4].genderCount == 0)
    }

    @Test func networkEvaluationScoresEveryTestFace() throws {
        var generator = SplitMix64(state: 3)
        var network = try Network(architecture, generator: &generator)
        // Ten faces: male and smiling when odd, 7 * i years old, Eyeglasses unknown.
        let faces = (0..<10).map { i in
            var labels = FaceLabels(gender: UInt8(i % 2), age: Float(i * 7))
            labels.attributes[.smiling] = i % 2 == 1
            return LabelledFace(pixels: (0..<48).map { UInt8(($0 + i) % 7 * 36) }, labels: labels)
        }
        let test = try TrainingFaces(SplitFaces<TestSplit>(InMemoryFaceSource(provenance: "ten faces", imageShape: [4, 4, 3], test: faces)),
                                     architecture: architecture)
        let r = try network.evaluate(test, indices: Array(0..<10), batchSize: 3)
        #expect(r.overall.faces == 10 && r.overall.genderCount == 10 && r.overall.ageCount == 10)
        #expect(r.overall.attributeAccuracy.keys.sorted() == ["Smiling"])
        #expect(r.byAgeBand.map(\.faces).reduce(0, +) == 10)
    }

    @Test func anExpectedValueAgeHeadIsScoredByItsExpectedValue() throws {
        var a = architecture
        a.heads[1] = HeadSpec(name: "age", task: .expectedValue, hidden: [], labels: ["age"], bins: [0, 20, 40], binSigma: 5)
        var evaluator = Evaluator(architecture: a)
        let big: Float = 50  // softmax of (50, 0, 0) is 1, 0, 0 up to e^-50
        evaluator.add(
            outputs: [Tensor(shape: [2, 1], values: [1, -1]),
                      Tensor(shape: [2, 3], values: [0, big, 0, 0, 0, 0]),  // says 20 years, then the mean 20
                      Tensor(shape: [2, 2], values: [1, 1, -1, -1])],
            targets: [Tensor(shape: [2, 1], values: [1, 0]), Tensor(shape: [2, 1], values: [23, 10]),
                      Tensor(shape: [2, 2], values: [1, 1, 0, 0])])
        let all = evaluator.report().overall
        #expect(all.ageCount == 2 && abs(all.ageMAE! - 6.5) < 1e-4)  // errors 3 and 10
    }
}
