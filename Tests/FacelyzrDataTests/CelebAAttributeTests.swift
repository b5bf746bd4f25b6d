import Testing
@testable import FacelyzrData

@Suite struct CelebAAttributeTests {
    @Test func namesFollowTheCelebAColumnOrder() {
        #expect(CelebAAttribute.allCases.count == 40)
        #expect(CelebAAttribute.male.rawValue == 20)
        #expect(CelebAAttribute.fiveOClockShadow.name == "5_o_Clock_Shadow")
        #expect(CelebAAttribute.young.name == "Young")
        for attribute in CelebAAttribute.allCases {
            #expect(CelebAAttribute(name: attribute.name) == attribute)
        }
        #expect(CelebAAttribute(name: "Sunburnt") == nil)
    }

    @Test func labelsAreReadAndWrittenByAttribute() {
        var labels = FaceLabels()
        #expect(labels[.bald] == nil)
        labels[.bald] = false
        #expect(labels.attributes.count == 40 && labels[.bald] == false)
        labels[.bald] = true
        #expect(labels.attributes[CelebAAttribute.bald.rawValue] == true)
        labels[.bald] = nil
        #expect(labels[.bald] == nil)
        #expect(FaceLabels(attributes: [true])[.young] == nil, "short attribute lists read as unknown")
    }
}
