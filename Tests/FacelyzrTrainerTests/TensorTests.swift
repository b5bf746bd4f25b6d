import Testing
@testable import FacelyzrTrainer

@Suite struct TensorTests {
    @Test func zerosHasTheShapesElementCount() {
        let t = Tensor(zeros: [2, 4, 4, 3])
        #expect(t.count == 96)
    }
}
