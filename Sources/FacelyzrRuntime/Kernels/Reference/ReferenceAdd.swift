extension Reference {
    /// Element-wise add of two int8 tensors of `p.count` elements, TFLite ADD int8
    /// (docs/quantization.md "Add"): `AddParameters.element` per element. `output` overlaps
    /// neither input (the blob validator checks the arena).
    public static func add(
        _ p: AddParameters, plan: KernelPlan = .canonical, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
        output: UnsafeMutablePointer<Int8>
    ) {
        for i in 0..<p.count {
            output[i] = p.element(input1[i], input2[i])
        }
    }
}
