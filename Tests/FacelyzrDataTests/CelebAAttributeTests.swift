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

    @Test func unknownIsNeitherTrueNorFalse() {
        var set = CelebAAttributes()
        #expect(set[.bald] == nil)
        set[.bald] = false
        #expect(set[.bald] == false)
        set[.bald] = true
        #expect(set[.bald] == true && set.values != 0)
        set[.bald] = nil
        #expect(set[.bald] == nil && set.known == 0 && set.values == 0)
    }
}
