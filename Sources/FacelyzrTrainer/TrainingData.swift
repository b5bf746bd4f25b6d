/// Labelled images the trainer draws batches from, addressed by index so a run is reproducible
/// from its seed (a generator that renders image `i` on demand, or a dataset in memory).
public protocol TrainingData {
    /// Number of training images.
    var count: Int { get }

    /// Normalised images `[indices.count, H, W, C]` (see `InputNormalization`) and, for each head
    /// of the architecture in order, its targets `[indices.count, labels]` in real units (0/1 for
    /// binary labels, years for age), NaN where a label is unknown. Throws when the images
    /// cannot be read.
    func batch(_ indices: [Int]) throws -> (input: Tensor, targets: [Tensor])
}
