import FacelyzrHost
import Foundation

/// A model shipped with Facelyzr: in `firmware-model/` of a checkout, in `PREFIX/share/facelyzr/`
/// once installed (`make install`, the Debian packages of tools/packaging/deb.sh).
public enum ShippedModel: String, CaseIterable, Sendable {
    /// Gender, age and attributes: the default of `analyze` and `demo`.
    case attributes = "facelyzr.blob"
    /// The localiser's face / not-face model: the default of `detect` and `analyze --detect`.
    case detector = "face-detector.blob"

    /// Its file name, the same in every place it is looked for.
    public var fileName: String { rawValue }

    /// The option that names another model instead.
    public var option: String { self == .attributes ? "--model" : "--detector" }
}

/// Where a command looks for a shipped model it is not given a path for, in this order:
/// 1. the directory in the environment variable `FACELYZR_MODEL_DIR` (when set);
/// 2. `../share/facelyzr` relative to the directory of the running executable, symbolic links
///    resolved (what `make install` and the packages lay out: `PREFIX/bin`, `PREFIX/share/facelyzr`);
/// 3. `firmware-model/` of the checkout holding the executable (a development build under
///    `.build/`), or else of the checkout holding the current directory.
///
/// The first place holding the file is used, damaged or not: a damaged model is reported, never
/// silently replaced by the next place's. `facelyzr version` prints the places and what they hold.
public struct ModelSearchPath: Sendable {
    /// The environment variable naming a directory of models, looked in first.
    public static let environmentVariable = "FACELYZR_MODEL_DIR"

    /// One place, as `facelyzr version` and the failures print it.
    public struct Place: Sendable, Equatable {
        /// What the place is, e.g. `next to the executable`.
        public var origin: String
        /// The directory, or nil when the place does not apply here.
        public var directory: String?
        /// Why the place does not apply (`directory` is nil), e.g. `not set`.
        public var absence: String
    }

    /// The places, in the order they are looked in.
    public let places: [Place]

    /// The search path of a process with this environment, this resolved executable and this
    /// current directory.
    public init(environment: [String: String], executable: String, currentDirectory: String) {
        let variable = environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        let bin = URL(fileURLWithPath: executable).deletingLastPathComponent()
        let share = bin.deletingLastPathComponent().appendingPathComponent("share/facelyzr").standardizedFileURL.path
        let checkout = Self.checkout(above: bin.path) ?? Self.checkout(above: currentDirectory)
        places = [
            Place(origin: "$\(Self.environmentVariable)", directory: variable, absence: "not set"),
            Place(origin: "next to the executable", directory: share, absence: ""),
            Place(origin: "checkout", directory: checkout.map { $0 + "/firmware-model" },
                  absence: "none above \(bin.path) or \(currentDirectory)"),
        ]
    }

    /// The search path of this process.
    public static var current: ModelSearchPath {
        ModelSearchPath(environment: ProcessInfo.processInfo.environment,
                        executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
                        currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// The nearest directory at or above `directory` that is a Facelyzr checkout (a Package.swift
    /// beside firmware-model/).
    static func checkout(above directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let fileManager = FileManager.default
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
               fileManager.fileExists(atPath: url.appendingPathComponent("firmware-model").path, isDirectory: &isDirectory),
               isDirectory.boolValue {
                return url.path
            }
            if url.path == "/" { return nil }
            url = url.deletingLastPathComponent()
        }
    }

    /// The file of `model` in the first place that holds one, or nil.
    public func path(of model: ShippedModel) -> String? {
        places.lazy.compactMap(\.directory).map { $0 + "/" + model.fileName }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Opens `model` from the first place holding it; when none does, or that file is damaged,
    /// one failure names the model, the problem and every place looked in.
    public func open(_ model: ShippedModel) throws(CommandFailure) -> (model: LoadedModel, path: String) {
        guard let path = path(of: model) else {
            throw CommandFailure(description: "no \(model.fileName) (the default model) found\(advice(model))\n" + listing(model))
        }
        do {
            return (try LoadedModel(path: path), path)
        } catch {
            throw CommandFailure(description: "the default model \(error)\(advice(model))\n" + listing(model))
        }
    }

    private func advice(_ model: ShippedModel) -> String {
        "; pass \(model.option) FILE, set \(Self.environmentVariable) to a directory holding \(model.fileName), or reinstall (`make install`). Looked in, in order:"
    }

    /// The places, one a line, each with whether it holds `model` (or, with `model` nil, only the places).
    public func listing(_ model: ShippedModel? = nil) -> String {
        places.enumerated().map { index, place in
            let head = "  \(index + 1). \(place.origin): "
            guard let directory = place.directory else { return head + place.absence }
            guard let model else { return head + directory }
            let file = directory + "/" + model.fileName
            return head + file + (FileManager.default.fileExists(atPath: file) ? "" : " (not there)")
        }.joined(separator: "\n")
    }
}

/// Opens the int8 model for a command: the file at `path`, or with no path the shipped `model`
/// found on ``ModelSearchPath/current``. Returns the model and the file it came from.
public func openModel(_ path: String?, default model: ShippedModel = .attributes) throws(CommandFailure) -> (model: LoadedModel, path: String) {
    guard let path else { return try ModelSearchPath.current.open(model) }
    do {
        return (try LoadedModel(path: path), path)
    } catch {
        throw CommandFailure(description: "\(error)")
    }
}
