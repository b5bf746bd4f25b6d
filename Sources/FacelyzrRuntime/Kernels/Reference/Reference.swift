/// The reference int8 kernels: plain loop nests that *are* the specification of each op
/// (docs/quantization.md). Every fast kernel is bit-exact with its reference kernel.
///
/// Parameters are trusted (the blob validator checked them); accumulation is int32 with
/// wrapping addition, which the validated bounds keep from ever wrapping. The kernels take a
/// `KernelPlan` where `KernelSet` has one and do not read it: each op has one way here.
public enum Reference {}
