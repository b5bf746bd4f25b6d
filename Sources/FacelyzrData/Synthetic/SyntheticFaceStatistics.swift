import FacelyzrSynthetic

/// What a sample of the generator looks like: label statistics against the configuration,
/// the ceilings of linear models on the generator's own latent cues, and linear probes on raw
/// pixels. Produced by `facelyzr synth-stats`; the figures are in docs/synthetic-faces.md.
public struct SyntheticFaceStatistics: Sendable {
    /// One measured rate with the rate the configuration implies.
    public struct Rate: Sendable {
        public var name: String
        public var measured: Double
        public var expected: Double
        /// Faces the rate is measured on.
        public var count: Int
        /// Four binomial standard errors, plus 0.005: the tolerance the tests use.
        public var tolerance: Double { 4 * (expected * (1 - expected) / Double(max(count, 1))).squareRoot() + 0.005 }
        public var withinTolerance: Bool { abs(measured - expected) <= tolerance }
    }

    public var count: Int
    public var ageMean: Double
    public var ageSD: Double
    public var expectedAgeMean: Double
    public var expectedAgeSD: Double
    /// Rates the configuration sets directly (male, smiling, ...), with their expectation.
    public var configuredRates: [Rate]
    /// Frequency of every attribute the generator labels.
    public var attributeFrequencies: [(name: String, frequency: Double)]
    /// Correlations like a real population (beards on men, grey hair with age, ...).
    public var correlations: [(name: String, value: Double)]

    /// Faces used to fit the models, and to score them.
    public var fitCount: Int
    public var scoreCount: Int
    /// Gender accuracy of always answering the majority class of the fitting faces.
    public var genderBaselineAccuracy: Double
    /// Age mean absolute error of always answering the fitting faces' mean age.
    public var ageBaselineMAE: Double
    /// Logistic regression on the latent cues: the best a linear read-out of the cues reaches.
    public var genderCeilingAccuracy: Double
    /// Ridge regression on the latent cues.
    public var ageCeilingMAE: Double
    /// Side of the downsampled image the pixel probes see (RGB, area resampling).
    public var probeResolution: Int
    /// Ridge regression on downsampled pixels, thresholded at 0.5.
    public var genderPixelProbeAccuracy: Double
    /// Ridge regression on downsampled pixels.
    public var agePixelProbeMAE: Double
    /// The same pixel probes, fitted on these faces, scored on the scoring faces drawn under
    /// the domain-shift conditions (same people, other pictures); nil unless requested.
    public var shiftedPixelProbe: (genderAccuracy: Double, ageMAE: Double)?

    /// Measures faces `start ..< start + count` of `faces`; the first 70% fit the models, the
    /// rest score them. With `shifted`, the pixel probes are also scored on the scoring faces
    /// rendered under that configuration (which must draw the same population).
    public init(faces: SyntheticFaces, start: UInt64 = 0, count: Int, probeResolution: Int = 16,
                latentLambda: Double = 1, pixelLambda: Double = 1000, shifted: SyntheticFaceConfiguration? = nil) {
        precondition(count >= 20, "too few faces to measure")
        self.count = count
        self.probeResolution = probeResolution
        var latents: [SyntheticFaceLatents] = []
        var labels: [FaceLabels] = []
        var pixelRows: [[Float]] = []
        latents.reserveCapacity(count)
        func probeRow(_ faces: SyntheticFaces, _ latents: SyntheticFaceLatents) -> [Float] {
            var pixels = [UInt8](repeating: 0, count: faces.size * faces.size * 3)
            pixels.withUnsafeMutableBufferPointer { faces.render(latents, into: $0) }
            let small = Image(width: faces.size, height: faces.size, channels: 3, pixels: pixels)
                .resized(width: probeResolution, height: probeResolution, method: .area)
            return small.pixels.map { Float($0) / 255 }
        }
        for i in 0..<UInt64(count) {
            let l = faces.latents(index: start + i)
            pixelRows.append(probeRow(faces, l))
            latents.append(l)
            labels.append(l.labels)
        }
        let c = faces.configuration
        let ages = labels.map { Double($0.age!) }
        let ageMean = ages.reduce(0, +) / Double(count)
        self.ageMean = ageMean
        ageSD = (ages.map { ($0 - ageMean) * ($0 - ageMean) }.reduce(0, +) / Double(count)).squareRoot()
        let span = Double(c.ageRange.upperBound - c.ageRange.lowerBound)
        expectedAgeMean = Double(c.ageRange.lowerBound) + span / 2
        expectedAgeSD = span / 12.0.squareRoot()

        func rate(_ name: String, _ expected: Float, among group: (SyntheticFaceLatents) -> Bool = { _ in true },
                  _ hit: (SyntheticFaceLatents) -> Bool) -> Rate {
            let members = latents.filter(group)
            let hits = members.filter(hit).count
            return Rate(name: name, measured: Double(hits) / Double(max(members.count, 1)), expected: Double(expected),
                        count: members.count)
        }
        let adultMan: (SyntheticFaceLatents) -> Bool = { $0.male && $0.age >= 18 }
        let adultWoman: (SyntheticFaceLatents) -> Bool = { !$0.male && $0.age >= 16 }
        configuredRates = [
            rate("Male", c.maleRate) { $0.male },
            rate("Smiling", c.smilingRate) { $0.smiling },
            rate("Mouth_Slightly_Open", c.mouthOpenRate) { $0.mouthOpen },
            rate("Eyeglasses", c.eyeglassesRate) { $0.eyeglasses },
            rate("Wearing_Hat", c.hatRate) { $0.hat },
            rate("facial hair among men >= 18", c.facialHairRate, among: adultMan) { $0.facialHair != .none },
            rate("Heavy_Makeup among women >= 16", c.makeupRate, among: adultWoman) { $0.makeup > 0 },
            rate("bangs drawn among women", c.bangsRate, among: { !$0.male }) { $0.bangs },
            rate("occluded", c.occlusionRate) { $0.occlusion },
            rate("blurred", c.blurRate) { $0.blur > 0 },
        ]
        attributeFrequencies = SyntheticFaces.labelledAttributes.map { a in
            (a.name, Double(labels.filter { $0.attributes[a] == true }.count) / Double(count))
        }
        func share(_ group: (SyntheticFaceLatents) -> Bool, _ hit: (SyntheticFaceLatents) -> Bool) -> Double {
            let members = latents.filter(group)
            return Double(members.filter(hit).count) / Double(max(members.count, 1))
        }
        let hasBeard: (SyntheticFaceLatents) -> Bool = { !$0.labels.attributes[.noBeard]! }
        correlations = [
            ("P(male given beard, mustache or goatee)", share(hasBeard) { $0.male }),
            ("P(female given Wearing_Lipstick)", share({ $0.lipstick }) { !$0.male }),
            ("P(Gray_Hair given age < 40)", share({ $0.age < 40 }) { $0.greyness > 0.5 }),
            ("P(Gray_Hair given age >= 60)", share({ $0.age >= 60 }) { $0.greyness > 0.5 }),
            ("P(Bald given man >= 60)", share({ $0.male && $0.age >= 60 }) { $0.labels.attributes[.bald]! }),
            ("P(Bald given woman >= 60)", share({ !$0.male && $0.age >= 60 }) { $0.labels.attributes[.bald]! }),
            ("P(Black_Hair given skin tone > 0.7)", share({ $0.skinTone > 0.7 }) { $0.labels.attributes[.blackHair]! }),
        ]

        // Models: fit on the first 70%, score on the rest.
        fitCount = count * 7 / 10
        scoreCount = count - fitCount
        let fit = 0..<fitCount, score = fitCount..<count
        let gender = labels.map { Float($0.gender!) }
        let age = labels.map { $0.age! }
        let maleShare = Double(gender[fit].reduce(0, +)) / Double(fitCount)
        let majority: Float = maleShare >= 0.5 ? 1 : 0
        genderBaselineAccuracy = Double(gender[score].filter { $0 == majority }.count) / Double(scoreCount)
        let fitMeanAge = Double(age[fit].reduce(0, +)) / Double(fitCount)
        ageBaselineMAE = age[score].map { abs(Double($0) - fitMeanAge) }.reduce(0, +) / Double(scoreCount)

        func accuracy(_ predictions: [Double], _ truth: ArraySlice<Float>) -> Double {
            Double(zip(predictions, truth).filter { ($0 >= 0.5 ? 1 : 0) == $1 }.count) / Double(truth.count)
        }
        func meanAbsoluteError(_ predictions: [Double], _ truth: ArraySlice<Float>) -> Double {
            zip(predictions, truth).map { abs($0 - Double($1)) }.reduce(0, +) / Double(truth.count)
        }
        let cues = FeatureMatrix(rows: latents.map(\.cueVector))
        let genderCeiling = LogisticRegression(fitting: cues.rows(fit), to: Array(gender[fit]), lambda: latentLambda)
        genderCeilingAccuracy = accuracy(genderCeiling.probabilities(cues.rows(score)), gender[score])
        let ageCeiling = RidgeRegression(fitting: cues.rows(fit), to: Array(age[fit]), lambda: latentLambda)
        ageCeilingMAE = meanAbsoluteError(ageCeiling.predict(cues.rows(score)), age[score])

        let pixels = FeatureMatrix(rows: pixelRows)
        let genderProbe = RidgeRegression(fitting: pixels.rows(fit), to: Array(gender[fit]), lambda: pixelLambda)
        genderPixelProbeAccuracy = accuracy(genderProbe.predict(pixels.rows(score)), gender[score])
        let ageProbe = RidgeRegression(fitting: pixels.rows(fit), to: Array(age[fit]), lambda: pixelLambda)
        agePixelProbeMAE = meanAbsoluteError(ageProbe.predict(pixels.rows(score)), age[score])
        if let shifted {
            let other = SyntheticFaces(configuration: shifted, seed: faces.seed, size: faces.size)
            let rows = FeatureMatrix(rows: score.map { probeRow(other, other.latents(index: start + UInt64($0))) })
            shiftedPixelProbe = (accuracy(genderProbe.predict(rows), gender[score]),
                                 meanAbsoluteError(ageProbe.predict(rows), age[score]))
        }
    }
}
