import Foundation

/// Ridge regression, closed form through the normal equations: w = (X^T X + lambda I)^-1 X^T y
/// on standardised features with an unpenalised intercept. Used for the age ceiling on the
/// generator's latents and for the probes on raw pixels (docs/synthetic-faces.md "Probes").
public struct RidgeRegression: Sendable {
    public let mean: [Double]
    public let sd: [Double]
    /// Intercept first, then one weight per standardised feature.
    public let weights: [Double]

    public init(fitting x: FeatureMatrix, to y: [Float], lambda: Double) {
        precondition(y.count == x.rowCount, "one target per row")
        (mean, sd) = x.columnStatistics()
        let z = x.standardized(mean: mean, sd: sd)
        let (a, b) = z.normalEquations(rowWeights: nil, target: y.map(Double.init), lambda: lambda)
        weights = solveSymmetricPositiveDefinite(a, b)
    }

    public func predict(_ x: FeatureMatrix) -> [Double] {
        x.standardized(mean: mean, sd: sd).times(weights)
    }
}

/// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
/// squares) on standardised features. Used for the gender ceiling on the generator's latents.
public struct LogisticRegression: Sendable {
    public let mean: [Double]
    public let sd: [Double]
    public let weights: [Double]

    /// `y` holds 0 or 1.
    public init(fitting x: FeatureMatrix, to y: [Float], lambda: Double, iterations: Int = 25) {
        precondition(y.count == x.rowCount, "one target per row")
        (mean, sd) = x.columnStatistics()
        let z = x.standardized(mean: mean, sd: sd)
        var w = [Double](repeating: 0, count: z.columnCount)
        for _ in 0..<iterations {
            // Newton step as a weighted least-squares problem: (X^T S X + lambda I) w' = X^T S t,
            // with t = X w + (y - p) / s.
            let eta = z.times(w)
            var s = [Double](repeating: 0, count: z.rowCount), t = s
            for r in 0..<z.rowCount {
                let p = 1 / (1 + exp(-eta[r]))
                s[r] = max(p * (1 - p), 1e-6)
                t[r] = eta[r] + (Double(y[r]) - p) / s[r]
            }
            let (a, b) = z.normalEquations(rowWeights: s, target: t, lambda: lambda)
            w = solveSymmetricPositiveDefinite(a, b)
        }
        weights = w
    }

    /// P(y = 1) per row.
    public func probabilities(_ x: FeatureMatrix) -> [Double] {
        x.standardized(mean: mean, sd: sd).times(weights).map { 1 / (1 + exp(-$0)) }
    }
}
