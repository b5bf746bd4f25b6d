@testable import FacelyzrModelImport
import Foundation
import Testing

/// Bad input made from a valid model (`chain.onnx`) changed in one place, as an untrusted file
/// could be: each is a typed `ModelImportError` naming the node at fault and the reason
/// (docs/model-import.md "Errors"); the committed fixtures cover one file per reason.
@Suite struct ONNXBadInputTests {
    static func chain() throws -> Onnx_ModelProto {
        try Onnx_ModelProto(serializedBytes: Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/chain.onnx"))))
    }

    /// The error importing `model` throws (nil if it imports).
    static func error(_ model: Onnx_ModelProto) throws -> ModelImportError? {
        let bytes: [UInt8] = try model.serializedBytes()
        do {
            _ = try ONNXImport.read(bytes: bytes, file: "x.onnx")
            return nil
        } catch {
            return error
        }
    }

    /// `chain.onnx` with `change` applied to the node named `name`.
    static func chain(changing name: String, _ change: (inout Onnx_NodeProto) -> Void) throws -> Onnx_ModelProto {
        var model = try chain()
        let index = try #require(model.graph.node.firstIndex { $0.name == name })
        change(&model.graph.node[index])
        return model
    }

    @Test func theUnchangedModelImports() throws {
        #expect(try Self.error(Self.chain()) == nil)
    }

    @Test(arguments: [10, 26] as [Int64])
    func anOpsetOnEitherSideOfTheRangeIsRefused(opset: Int64) throws {
        var model = try Self.chain()
        model.opsetImport[0].version = opset
        #expect(try Self.error(model) == ModelImportError(file: "x.onnx", reason: .opsetOutOfRange(found: opset, supported: 11...25)))
    }

    @Test func anUnknownOpNamesItsNode() throws {
        let model = try Self.chain(changing: "relu2") { $0.opType = "Erf" }
        #expect(try Self.error(model) == ModelImportError(file: "x.onnx", node: "relu2", reason: .unsupportedOp(
            op: "Erf", reason: "no import for this op (docs/model-import.md lists the supported ones)")))
    }

    @Test func anUnnamedNodeIsNamedByItsIndexAndOp() throws {
        let model = try Self.chain(changing: "relu2") {
            $0.name = ""
            $0.opType = "Erf"
        }
        let index = try #require(try Self.chain().graph.node.firstIndex { $0.name == "relu2" })
        #expect(try Self.error(model)?.node == "#\(index) Erf")
    }

    @Test func aSupportedOpWithAnAttributeItCannotTakeNamesTheNodeAndAttribute() throws {
        let dilated = try Self.chain(changing: "conv2") { node in
            var d = Onnx_AttributeProto()
            d.name = "dilations"
            d.type = .ints
            d.ints = [2, 2]
            node.attribute.append(d)
        }
        #expect(try Self.error(dilated) == ModelImportError(file: "x.onnx", node: "conv2", reason: .unsupportedOp(op: "Conv", reason: "dilations [2, 2]; 1 is supported")))
        let unknown = try Self.chain(changing: "pool1") { node in
            var a = Onnx_AttributeProto()
            a.name = "layout"
            a.type = .int
            a.i = 1
            node.attribute.append(a)
        }
        #expect(try Self.error(unknown) == ModelImportError(file: "x.onnx", node: "pool1", reason: .unsupportedOp(op: "MaxPool", reason: "attribute layout is not supported")))
    }

    @Test func anOpOfAnotherDomainIsRefused() throws {
        let model = try Self.chain(changing: "relu1") { $0.domain = "com.microsoft" }
        #expect(try Self.error(model) == ModelImportError(file: "x.onnx", node: "relu1", reason: .unsupportedOp(
            op: "com.microsoft.Relu", reason: "only the default ONNX domain is supported")))
    }

    @Test func aTensorProducedTwiceIsMalformedAtItsSecondProducer() throws {
        let model = try Self.chain(changing: "relu2") { $0.output = ["r1"] }
        #expect(try Self.error(model) == ModelImportError(file: "x.onnx", node: "relu2", reason: .malformed("tensor r1 is produced more than once")))
    }

    @Test func anInputNothingProvidesIsAMissingInitializerOfItsReader() throws {
        var model = try Self.chain()
        model.graph.initializer.removeAll { $0.name == "fc2_w" }
        #expect(try Self.error(model) == ModelImportError(file: "x.onnx", node: "fc2", reason: .missingInitializer(tensor: "fc2_w")))
    }

    @Test func aCycleNamesEveryNodeOnIt() throws {
        // relu2 reads fc1's output: relu2 → pool2 → scalar → flatten → fc1 → relu2.
        let model = try Self.chain(changing: "relu2") { $0.input = ["fc1"] }
        let error = try #require(try Self.error(model))
        guard case .cycle(let nodes) = error.reason else {
            Issue.record("\(error)")
            return
        }
        #expect(Set(nodes) == ["relu2", "pool2", "scalar", "flatten", "fc1"])
        #expect(error.node.map(nodes.contains) == true)
    }

    @Test func aSymbolicImageDimensionIsDynamic() throws {
        var model = try Self.chain()
        model.graph.input[0].type.tensorType.shape.dim[3].dimParam = "width"
        #expect(try Self.error(model) == ModelImportError(file: "x.onnx", reason: .dynamicShape(tensor: "images", dimension: 3)))
    }

    @Test func aWeightWhoseBytesDoNotFitItsShapeIsMalformed() throws {
        var model = try Self.chain()
        let index = try #require(model.graph.initializer.firstIndex { $0.name == "c1_w" })
        let weight = model.graph.initializer[index]
        #expect(!weight.rawData.isEmpty || !weight.floatData.isEmpty)
        if weight.rawData.isEmpty { model.graph.initializer[index].floatData.removeLast() } else { model.graph.initializer[index].rawData.removeLast(4) }
        let error = try #require(try Self.error(model))
        guard case .malformed(let why) = error.reason else {
            Issue.record("\(error)")
            return
        }
        #expect(why.hasPrefix("tensor c1_w has "))
    }

    @Test func aWeightOfAnotherElementTypeIsAnUnsupportedTensor() throws {
        var model = try Self.chain()
        let index = try #require(model.graph.initializer.firstIndex { $0.name == "c1_w" })
        model.graph.initializer[index].dataType = 10  // float16
        let error = try #require(try Self.error(model))
        #expect(error.reason == .unsupportedTensor(tensor: "c1_w", reason: "element type 10; float32 weights (and int64 shapes) are supported"))
    }
}
