import FacelyzrBlobBuilder
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

@Suite struct ArenaPlanTests {
    @Test func chainReusesMemoryTwoTensorsAtATime() {
        // a -> b -> c -> d: at most two neighbours are live at once.
        let plan = ArenaPlan(sizes: [100, 64, 48, 32], lifetimes: [-1...0, 0...1, 1...2, 2...2])
        #expect(plan.livenessLowerBound == 164)
        #expect(plan.byteCount == 176)  // 100 rounded up to 112, then 64
        #expect(plan.offsets.allSatisfy { $0 % 16 == 0 })
    }

    @Test(arguments: 1...30) func randomPlansNeverOverlapLiveTensors(seed: Int) {
        var rng = SplitMix64(state: UInt64(seed))
        let count = Int.random(in: 1...12, using: &rng)
        let sizes = (0..<count).map { _ in Int.random(in: 1...300, using: &rng) }
        let lifetimes = (0..<count).map { _ -> ClosedRange<Int> in
            let start = Int.random(in: -1...8, using: &rng)
            return start...(start + Int.random(in: 0...4, using: &rng))
        }
        let plan = ArenaPlan(sizes: sizes, lifetimes: lifetimes)
        for i in 0..<count {
            #expect(plan.offsets[i] % 16 == 0)
            #expect(plan.offsets[i] + sizes[i] <= plan.byteCount)
            for j in 0..<i where lifetimes[i].overlaps(lifetimes[j]) {
                let a = plan.offsets[i]..<(plan.offsets[i] + sizes[i])
                let b = plan.offsets[j]..<(plan.offsets[j] + sizes[j])
                #expect(!a.overlaps(b))
            }
        }
        #expect(plan.livenessLowerBound <= plan.byteCount)
    }

    @Test func builderArenaIsSmallerThanOneSlotPerTensor() throws {
        let builder = TestModels.everyOp()
        let plan = builder.arenaPlan()
        let (total, arena) = try withModel(builder.build().bytes) { model in
            ((0..<model.tensorCount).reduce(0) { $0 + model.tensor($1).shape.elementCount }, model.arenaByteCount)
        }
        #expect(arena == plan.byteCount)
        #expect(plan.byteCount < total)
        #expect(plan.livenessLowerBound <= plan.byteCount)
    }
}
