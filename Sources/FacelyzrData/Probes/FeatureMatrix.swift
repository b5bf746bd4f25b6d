/// Rows of features (n x d, row-major, Double) for the small linear probes, standardised per
/// column with statistics taken from the rows the model is fitted on.
public struct FeatureMatrix: Sendable {
    public let rowCount: Int
    public let columnCount: Int
    public private(set) var values: [Double]

    /// `rows` must all have the same length.
    public init(rows: [[Float]]) {
        precondition(!rows.isEmpty, "no rows")
        rowCount = rows.count
        columnCount = rows[0].count
        var values = [Double]()
        values.reserveCapacity(rowCount * columnCount)
        for row in rows {
            precondition(row.count == columnCount, "rows differ in length")
            values += row.map(Double.init)
        }
        self.values = values
    }

    private init(rowCount: Int, columnCount: Int, values: [Double]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// Rows `range` as a matrix of their own.
    public func rows(_ range: Range<Int>) -> FeatureMatrix {
        FeatureMatrix(rowCount: range.count, columnCount: columnCount,
                      values: Array(values[range.lowerBound * columnCount..<range.upperBound * columnCount]))
    }

    /// Per-column mean and standard deviation (1 for constant columns).
    public func columnStatistics() -> (mean: [Double], sd: [Double]) {
        var mean = [Double](repeating: 0, count: columnCount), square = mean
        for r in 0..<rowCount {
            for c in 0..<columnCount {
                let x = values[r * columnCount + c]
                mean[c] += x
                square[c] += x * x
            }
        }
        var sd = mean
        for c in 0..<columnCount {
            mean[c] /= Double(rowCount)
            let variance = square[c] / Double(rowCount) - mean[c] * mean[c]
            sd[c] = variance > 1e-12 ? variance.squareRoot() : 1
        }
        return (mean, sd)
    }

    /// The matrix standardised with the given column statistics, with a leading column of ones.
    public func standardized(mean: [Double], sd: [Double]) -> FeatureMatrix {
        let d = columnCount + 1
        var out = [Double](repeating: 1, count: rowCount * d)
        for r in 0..<rowCount {
            for c in 0..<columnCount {
                out[r * d + c + 1] = (values[r * columnCount + c] - mean[c]) / sd[c]
            }
        }
        return FeatureMatrix(rowCount: rowCount, columnCount: d, values: out)
    }

    /// X w for each row.
    public func times(_ weights: [Double]) -> [Double] {
        precondition(weights.count == columnCount, "one weight per column")
        return values.withUnsafeBufferPointer { x in
            (0..<rowCount).map { r in
                var sum = 0.0
                for c in 0..<columnCount { sum += x[r * columnCount + c] * weights[c] }
                return sum
            }
        }
    }

    /// X^T diag(weights) X + lambda I (the intercept column 0 is not penalised) and X^T target,
    /// the normal equations of (weighted) ridge regression.
    func normalEquations(rowWeights: [Double]?, target: [Double], lambda: Double) -> (matrix: [Double], vector: [Double]) {
        let d = columnCount
        var a = [Double](repeating: 0, count: d * d), b = [Double](repeating: 0, count: d)
        values.withUnsafeBufferPointer { x in
            a.withUnsafeMutableBufferPointer { a in
                for r in 0..<rowCount {
                    let w = rowWeights?[r] ?? 1
                    let row = x.baseAddress! + r * d
                    for i in 0..<d {
                        let wi = w * row[i]
                        b[i] += wi * target[r]
                        for j in i..<d { a[i * d + j] += wi * row[j] }
                    }
                }
                for i in 0..<d {
                    for j in 0..<i { a[i * d + j] = a[j * d + i] }
                    if i > 0 { a[i * d + i] += lambda }
                }
            }
        }
        return (a, b)
    }
}

/// Solves A x = b for a symmetric positive definite A (d x d, row-major) by Cholesky.
func solveSymmetricPositiveDefinite(_ a: [Double], _ b: [Double]) -> [Double] {
    let d = b.count
    var l = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
        for j in 0...i {
            var sum = a[i * d + j]
            for k in 0..<j { sum -= l[i * d + k] * l[j * d + k] }
            if i == j {
                l[i * d + i] = (max(sum, 1e-12)).squareRoot()
            } else {
                l[i * d + j] = sum / l[j * d + j]
            }
        }
    }
    var y = [Double](repeating: 0, count: d)
    for i in 0..<d {
        var sum = b[i]
        for k in 0..<i { sum -= l[i * d + k] * y[k] }
        y[i] = sum / l[i * d + i]
    }
    var x = [Double](repeating: 0, count: d)
    for i in stride(from: d - 1, through: 0, by: -1) {
        var sum = y[i]
        for k in (i + 1)..<d { sum -= l[k * d + i] * x[k] }
        x[i] = sum / l[i * d + i]
    }
    return x
}
