import ArgumentParser
import FacelyzrData
import FacelyzrRunCommands
import FacelyzrSynthetic
import Foundation

/// `facelyzr synth-stats`: label statistics, latent-variable ceilings and pixel probes of the
/// synthetic face generator, printed as the Markdown tables of docs/synthetic-faces.md.
struct SynthStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-stats",
        abstract: "Measure the synthetic generator: label statistics, latent ceilings, pixel probes.",
        discussion: """
            Draws COUNT faces of the test split, compares the label rates with the \
            configuration, fits a logistic regression (gender) and a ridge regression (age) \
            on the generator's latent cues and on downsampled pixels on the first 70% and \
            scores them on the rest. Build with -c release for 10,000 faces.
            """
    )

    @Option(help: "How many faces.")
    var count = 10_000

    @Option(help: "Population seed.")
    var seed: UInt64 = 0

    @Option(help: "Side of the downsampled RGB image the pixel probes see.")
    var probeResolution = 16

    @Flag(help: "Use the domain-shift setting.")
    var shifted = false

    @Flag(help: "Also score the pixel probes, fitted on default faces, on the same people under the domain-shift setting.")
    var crossDomain = false

    func validate() throws {
        try requireOption("--count", count, in: 20...100_000, "in 20...100000 (faces; each one's downsampled pixels stay in memory)")
        // The probe downsamples the face: it cannot have more pixels than the 64x64 face.
        try requireOption("--probe-resolution", probeResolution, in: 1...64, "in 1...64 (a side of the downsampled 64x64 face)")
        guard !(shifted && crossDomain) else { throw ValidationError("--cross-domain already scores on shifted faces") }
    }

    func run() {
        let faces = SyntheticFaces(configuration: shifted ? .shifted : SyntheticFaceConfiguration(), seed: seed)
        let s = SyntheticFaceStatistics(faces: faces, count: count, probeResolution: probeResolution,
                                        shifted: crossDomain ? .shifted : nil)
        func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
        print("Generator version \(SyntheticFaces.generatorVersion), seed \(seed), \(count) faces of the test split"
            + (shifted ? ", domain-shift setting" : "") + ".\n")
        print("| quantity | measured | configured | tolerance | ok |")
        print("|---|---|---|---|---|")
        print("| age mean | \(f(s.ageMean, 2)) | \(f(s.expectedAgeMean, 2)) | | |")
        print("| age sd | \(f(s.ageSD, 2)) | \(f(s.expectedAgeSD, 2)) | | |")
        for r in s.configuredRates {
            print("| \(r.name) | \(f(r.measured)) | \(f(r.expected)) | +-\(f(r.tolerance)) (n=\(r.count)) | "
                + (r.withinTolerance ? "yes" : "NO") + " |")
        }
        print("\n| correlation | value |")
        print("|---|---|")
        for c in s.correlations { print("| \(c.name) | \(f(c.value)) |") }
        print("\n| attribute | frequency |")
        print("|---|---|")
        for a in s.attributeFrequencies { print("| \(a.name) | \(f(a.frequency)) |") }
        print("\nModels fitted on \(s.fitCount) faces, scored on \(s.scoreCount).\n")
        print("| model | gender accuracy | age MAE (years) |")
        print("|---|---|---|")
        print("| baseline (majority gender, mean age) | \(f(s.genderBaselineAccuracy)) | \(f(s.ageBaselineMAE, 2)) |")
        print("| pixel probe (ridge on \(s.probeResolution)x\(s.probeResolution) RGB) | \(f(s.genderPixelProbeAccuracy)) "
            + "| \(f(s.agePixelProbeMAE, 2)) |")
        print("| latent ceiling (logistic / ridge on \(SyntheticFaceLatents.cueNames.count) cues) "
            + "| \(f(s.genderCeilingAccuracy)) | \(f(s.ageCeilingMAE, 2)) |")
        if let cross = s.shiftedPixelProbe {
            print("| pixel probe fitted on default faces, scored on the same people under the domain shift "
                + "| \(f(cross.genderAccuracy)) | \(f(cross.ageMAE, 2)) |")
        }
    }
}
