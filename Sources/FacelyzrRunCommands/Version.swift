import ArgumentParser
import FacelyzrHost

/// `facelyzr version` (and `facelyzr-run-host version`): the version, and where the shipped
/// models are looked for and what is found there (``ModelSearchPath``).
public struct Version: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Print the version, and where the default models are looked for and what was found.")

    /// The project's version: the tools print it, and the Debian packages
    /// (tools/packaging/deb.sh) take theirs from this line.
    public static let current = "0.1.0"

    public init() {}

    public func run() {
        print("facelyzr \(Self.current)")
        let search = ModelSearchPath.current
        print("default models (without --model / --detector), the first place holding the file wins:")
        print(search.listing())
        for model in ShippedModel.allCases {
            guard let path = search.path(of: model) else {
                print("\(model.fileName): not found")
                continue
            }
            do {
                let loaded = try LoadedModel(path: path)
                let input = loaded.input
                print("\(model.fileName): \(path) (\(String(decoding: loaded.model.name, as: UTF8.self)), \(input.width)x\(input.height)x\(input.channels) int8)")
            } catch {
                print("\(model.fileName): damaged: \(error)")
            }
        }
    }
}
