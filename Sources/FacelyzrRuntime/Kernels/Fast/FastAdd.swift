#if arch(x86_64) || arch(arm64)
import CFacelyzrSIMD
#endif

extension Fast {
    /// Bit-exact with `Reference.add`: with the plan's `avx2Elementwise` (fz_avx2_add) or
    /// `neonElementwise` (fz_neon_add), 16 elements per step in C; the last `count % 16`
    /// elements, and every element on other plans, by `AddParameters.element`, the reference's
    /// own arithmetic.
    public static func add(
        _ p: AddParameters, plan: KernelPlan = .canonical, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
        output: UnsafeMutablePointer<Int8>
    ) {
        var done = 0
        #if arch(x86_64) || arch(arm64)
        if plan.variant == .avx2Elementwise || plan.variant == .neonElementwise {
            trace(.add, plan.variant, .direct)
            var c = fz_add_parameters(
                zero_point1: p.input1ZeroPoint, multiplier1: p.input1Multiplier, shift1: p.input1Shift,
                zero_point2: p.input2ZeroPoint, multiplier2: p.input2Multiplier, shift2: p.input2Shift,
                output_multiplier: p.outputMultiplier, output_shift: p.outputShift,
                output_zero_point: p.outputZeroPoint, output_min: p.outputMin, output_max: p.outputMax)
            let blocks = p.count / 16
            #if arch(x86_64)
            fz_avx2_add(&c, input1, input2, output, blocks)
            #else
            fz_neon_add(&c, input1, input2, output, blocks)
            #endif
            done = blocks * 16
        } else {
            trace(.add, .portable, .direct)
        }
        #else
        trace(.add, .portable, .direct)
        #endif
        for i in done..<p.count {
            output[i] = p.element(input1[i], input2[i])
        }
    }
}
