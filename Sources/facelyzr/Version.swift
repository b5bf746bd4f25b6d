import ArgumentParser

/// `facelyzr version`: the tool's version.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version of facelyzr.")

    static let current = "0.1.0"

    func run() {
        print("facelyzr \(Self.current)")
    }
}
