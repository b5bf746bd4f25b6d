import FacelyzrSynthetic
import Testing
@testable import FacelyzrData

@Suite struct SyntheticStatisticsTests {
    /// 1,500 faces, fast in debug; `facelyzr synth-stats` gives the 10,000-face figures.
    static let statistics = SyntheticFaceStatistics(faces: SyntheticFaces(seed: 11), count: 1500, probeResolution: 8)

    @Test func labelRatesMatchTheConfiguration() {
        let s = Self.statistics
        for rate in s.configuredRates {
            #expect(rate.withinTolerance, "\(rate.name): \(rate.measured) vs \(rate.expected) +- \(rate.tolerance)")
        }
        #expect(abs(s.ageMean - s.expectedAgeMean) < 4 * s.expectedAgeSD / 1500.0.squareRoot())
        #expect(abs(s.ageSD - s.expectedAgeSD) < 1.5)
    }

    @Test func correlationsAreLikeARealPopulation() {
        let c = Dictionary(uniqueKeysWithValues: Self.statistics.correlations.map { ($0.name, $0.value) })
        #expect(c["P(male given beard, mustache or goatee)"]! > 0.95)
        #expect(c["P(female given Wearing_Lipstick)"]! > 0.85)
        #expect(c["P(Gray_Hair given age >= 60)"]! > 0.6)
        #expect(c["P(Gray_Hair given age < 40)"]! < 0.05)
        #expect(c["P(Bald given man >= 60)"]! > c["P(Bald given woman >= 60)"]! + 0.2)
    }

    @Test func cuesInformWithoutGivingTheAnswerAway() {
        let s = Self.statistics
        // The latent ceilings: informative, but not perfect.
        #expect(s.genderCeilingAccuracy < 0.995)
        #expect(s.genderCeilingAccuracy > 0.9)
        #expect(s.ageCeilingMAE > 1)
        #expect(s.ageCeilingMAE < 0.5 * s.ageBaselineMAE)
        // A linear probe on raw pixels: clearly above chance, clearly below the ceiling.
        #expect(s.genderPixelProbeAccuracy > s.genderBaselineAccuracy + 0.1)
        #expect(s.genderPixelProbeAccuracy < s.genderCeilingAccuracy - 0.05)
        #expect(s.agePixelProbeMAE < 0.85 * s.ageBaselineMAE)
        #expect(s.agePixelProbeMAE > s.ageCeilingMAE + 3)
    }
}
