// The hand-worked cases of docs/quantization.md, one test per section.
import Foundation
import Testing
@testable import FacelyzrRuntime

@Suite struct QuantizeMultiplierTests {
    @Test func powersOfTwoAndFractions() {
        #expect(quantizeMultiplier(0.5) == (1_073_741_824, 0))
        #expect(quantizeMultiplier(1.0) == (1_073_741_824, 1))
        #expect(quantizeMultiplier(0.75) == (1_610_612_736, 0))
        #expect(quantizeMultiplier(0) == (0, 0))
    }

    @Test func roundsHalfAwayFromZero() {
        // 0.5 + 2^-32 = (2^30 + 0.5) / 2^31: the half rounds up to 2^30 + 1.
        #expect(quantizeMultiplier(0.5 + 0x1p-32) == (1_073_741_825, 0))
    }

    @Test func roundingUpToTwoToThe31HalvesAndBumpsTheShift() {
        // 1 - 2^-40 = q * 2^0 with q * 2^31 = 2^31 - 2^-9, rounded to 2^31.
        #expect(quantizeMultiplier(1 - 0x1p-40) == (1_073_741_824, 1))
    }

    @Test func tinyMultipliersFlushToZero() {
        #expect(quantizeMultiplier(0x1p-32) == (1_073_741_824, -31))
        #expect(quantizeMultiplier(0x1p-33) == (0, 0))
    }

    @Test func effectiveScaleIsComputedInDoubleFromFloat32Scales() {
        let scale = effectiveScale(inputScale: 0.1, weightScale: 0.02, outputScale: 0.3)
        #expect(scale == Double(Float(0.1)) * Double(Float(0.02)) / Double(Float(0.3)))
    }
}

@Suite struct FixedPointTests {
    @Test func doublingHighMulTiesGoTowardPlusInfinity() {
        #expect(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) == 1 << 29)
        #expect(saturatingRoundingDoublingHighMul(1, 1 << 30) == 1)     //  0.5 ->  1
        #expect(saturatingRoundingDoublingHighMul(-1, 1 << 30) == 0)    // -0.5 ->  0
        #expect(saturatingRoundingDoublingHighMul(3, 1 << 30) == 2)     //  1.5 ->  2
        #expect(saturatingRoundingDoublingHighMul(-3, 1 << 30) == -1)   // -1.5 -> -1
        #expect(saturatingRoundingDoublingHighMul(Int32.min, Int32.max) == -2_147_483_647)
    }

    @Test func doublingHighMulSaturatesItsOneOverflow() {
        #expect(saturatingRoundingDoublingHighMul(Int32.min, Int32.min) == Int32.max)
    }

    @Test func divideByPowerOfTwoTiesGoAwayFromZero() {
        #expect(roundingDivideByPowerOfTwo(5, 1) == 3)      //  2.5  ->  3
        #expect(roundingDivideByPowerOfTwo(-5, 1) == -3)    // -2.5  -> -3
        #expect(roundingDivideByPowerOfTwo(7, 2) == 2)      //  1.75 ->  2
        #expect(roundingDivideByPowerOfTwo(-6, 2) == -2)    // -1.5  -> -2
        #expect(roundingDivideByPowerOfTwo(-2, 2) == -1)    // -0.5  -> -1
        #expect(roundingDivideByPowerOfTwo(-1, 2) == 0)     // -0.25 ->  0
        #expect(roundingDivideByPowerOfTwo(-7, 0) == -7)
    }

    @Test func divideByTwoToThe31() {
        #expect(roundingDivideByPowerOfTwo(Int32.min, 31) == -1)
        #expect(roundingDivideByPowerOfTwo(Int32.max, 31) == 1)
        #expect(roundingDivideByPowerOfTwo(1 << 30, 31) == 1)          //  0.5 -> 1
        #expect(roundingDivideByPowerOfTwo(-(1 << 30), 31) == -1)      // -0.5 -> -1
        #expect(roundingDivideByPowerOfTwo(-(1 << 30) + 1, 31) == 0)
    }
}

@Suite struct RequantizeTests {
    let half: Int32 = 1 << 30  // M = 2^30 is 0.5

    func both(_ acc: Int32, _ m: Int32, _ shift: Int32) -> (double: Int32, single: Int32) {
        (requantize(acc, multiplier: m, shift: shift, rounding: .double),
         requantize(acc, multiplier: m, shift: shift, rounding: .single))
    }

    @Test func exactValuesAgree() {
        #expect(both(100, half, 0) == (50, 50))
        #expect(both(-100, half, 1) == (-100, -100))
    }

    @Test func tiesOfTheFirstStep() {
        #expect(both(3, half, 0) == (2, 2))     //  1.5: both toward +infinity
        #expect(both(-3, half, 0) == (-1, -1))  // -1.5: both toward +infinity
    }

    @Test func doubleRoundingDiffersFromSingle() {
        // 5 * 0.5 / 2 = 1.25: double rounds 2.5 -> 3, then 1.5 -> 2; single gives 1.
        #expect(both(5, half, -1) == (2, 1))
        // -12 * 0.5 / 4 = -1.5: the second step of double rounds away from zero, single toward +inf.
        #expect(both(-12, half, -2) == (-2, -1))
        #expect(both(12, half, -2) == (2, 2))
    }

    @Test func shiftThirty() {
        #expect(both(1, half, 30) == (536_870_912, 536_870_912))
        // 3 * 2^30 saturates to 2^31 - 1 before the multiply in double mode.
        #expect(both(3, half, 30) == (1_073_741_824, 1_610_612_736))
        #expect(both(-3, half, 30) == (-1_073_741_824, -1_610_612_736))
        // Single mode saturates its int64 result to int32.
        #expect(both(Int32.max, Int32.max, 30) == (2_147_483_646, Int32.max))
        #expect(both(Int32.min, Int32.max, 30).single == Int32.min)
    }

    @Test func shiftMinusThirtyOne() {
        #expect(both(Int32.max, Int32.max, -31) == (1, 1))
        #expect(both(Int32.min, half, -31) == (-1, 0))   // -0.5
        #expect(both(1 << 30, half, -31) == (0, 0))      //  0.25
    }

    @Test func zeroMultiplierGivesZero() {
        for shift: Int32 in [-31, -5, 0, 30] {
            #expect(both(Int32.max, 0, shift) == (0, 0))
            #expect(both(Int32.min, 0, shift) == (0, 0))
        }
    }

    @Test func outputStageAddsZeroPointThenClamps() {
        func out(_ acc: Int32, zp: Int32, min: Int32 = -128, max: Int32 = 127) -> Int8 {
            requantizeToInt8(acc, multiplier: half, shift: 1, rounding: .double,
                             outputZeroPoint: zp, outputMin: min, outputMax: max)
        }
        #expect(out(10, zp: -5) == 5)
        #expect(out(300, zp: -5) == 127)
        #expect(out(-300, zp: 5) == -128)
        #expect(out(Int32.max, zp: 127) == 127)      // no overflow adding the zero point
        #expect(out(Int32.min, zp: -128) == -128)
        #expect(out(-20, zp: -3, min: -3) == -3)     // ReLU: clamp at the zero point
        #expect(out(100, zp: -3, min: -3, max: 3) == 3)  // ReLU6 with scale 1
    }
}

@Suite struct AverageRoundingTests {
    @Test func halfAwayFromZero() {
        #expect(roundedAverage(sum: 3, count: 4) == 1)    //  0.75
        #expect(roundedAverage(sum: 2, count: 4) == 1)    //  0.5
        #expect(roundedAverage(sum: -2, count: 4) == -1)  // -0.5
        #expect(roundedAverage(sum: -1, count: 4) == 0)   // -0.25
        #expect(roundedAverage(sum: -3, count: 4) == -1)  // -0.75
        #expect(roundedAverage(sum: -2, count: 3) == -1)  // -0.667
        #expect(roundedAverage(sum: -1, count: 3) == 0)   // -0.333
        #expect(roundedAverage(sum: -3, count: 6) == -1)  // -0.5
        #expect(roundedAverage(sum: -512, count: 4) == -128)
    }
}

@Suite struct HeadNumericsTests {
    @Test func sigmoidKnownValues() {
        #expect(sigmoid(0) == 0.5)
        #expect(sigmoid(86) == 1)
        #expect(sigmoid(-86) == 0)
        #expect(sigmoid(.infinity) == 1)
        #expect(sigmoid(-.infinity) == 0)
        #expect(sigmoid(.nan) == 0)
    }

    @Test func sigmoidIsCloseToTheTrueFunctionAndMonotone() {
        var previous: Float = 0
        var worst = 0.0
        for i in -90_000...90_000 {
            let x = Float(i) / 1000
            let y = sigmoid(x)
            #expect(y >= previous, "not monotone at \(x)")
            previous = y
            worst = max(worst, abs(Double(y) - 1 / (1 + exp(-Double(x)))))
        }
        #expect(worst < 2e-7, "max abs error \(worst)")
    }

    @Test func headDequantisationIsOneFloatMultiply() {
        let scale = headOutputScale(inputScale: 0.05, weightScale: 0.002)
        #expect(scale == Float(0.05) * Float(0.002))
        #expect(dequantizeHeadOutput(-1234, scale: scale) == Float(-1234) * scale)
        // Above 2^24 the conversion rounds to nearest even: 2^24 + 1 -> 2^24.
        #expect(dequantizeHeadOutput(16_777_217, scale: 1) == 16_777_216)
    }
}
