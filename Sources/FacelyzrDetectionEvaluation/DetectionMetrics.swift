// Scores of the localiser's evaluation (`facelyzr detect-eval`, docs/detection.md "Figures"). They
// allocate, so they live apart from the allocation-free localiser (FacelyzrDetection).

/// Area under the ROC curve: the probability that a random face scores above a random non-face
/// (Mann-Whitney U over average ranks; ties count half); NaN without both kinds.
public func rocAUC(_ scores: [(score: Float, face: Bool)]) -> Double {
    let sorted = scores.sorted { $0.score < $1.score }
    var rankSum = 0.0
    var i = 0
    while i < sorted.count {
        var j = i
        while j + 1 < sorted.count && sorted[j + 1].score == sorted[i].score { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j where sorted[k].face { rankSum += rank }
        i = j + 1
    }
    let positives = Double(scores.filter(\.face).count), negatives = Double(scores.count) - positives
    guard positives > 0, negatives > 0 else { return .nan }
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
}

/// Average precision of detections (score, whether it matched a face) against `positives`
/// faces: the area under the precision-recall curve with precision made non-increasing from
/// the right (all-point interpolation, PASCAL VOC 2010 on); NaN without faces.
public func averagePrecision(_ detections: [(score: Float, truePositive: Bool)], positives: Int) -> Double {
    guard positives > 0 else { return .nan }
    let sorted = detections.sorted { $0.score > $1.score }
    var precision: [Double] = [], recall: [Double] = []
    var hits = 0
    for (n, d) in sorted.enumerated() {
        if d.truePositive { hits += 1 }
        precision.append(Double(hits) / Double(n + 1))
        recall.append(Double(hits) / Double(positives))
    }
    var ap = 0.0, previousRecall = 0.0
    var best = 0.0
    var envelope = [Double](repeating: 0, count: precision.count)
    for n in stride(from: precision.count - 1, through: 0, by: -1) {
        best = max(best, precision[n])
        envelope[n] = best
    }
    for n in precision.indices where recall[n] > previousRecall {
        ap += (recall[n] - previousRecall) * envelope[n]
        previousRecall = recall[n]
    }
    return ap
}
