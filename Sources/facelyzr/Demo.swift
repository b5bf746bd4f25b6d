import ArgumentParser
import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRunCommands
import Foundation

/// `x` rounded to a whole number, or `?` when the model has no such output (NaN).
private func whole(_ x: Float) -> String { x.isFinite ? String(Int(x.rounded())) : "?" }

/// `facelyzr demo` (`make demo`): the shipped model on a handful of held-out synthetic faces.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the shipped int8 model on held-out synthetic faces: predictions beside the true labels, with latency.",
        discussion: """
            Takes faces of the synthetic generator's test split (never seen in training or \
            calibration), runs the int8 blob on each, prints each prediction beside the true \
            labels with the time of the predict call, and draws a contact sheet with the \
            predictions (first line) and the truth (second line) under each face. The model was \
            trained on synthetic faces only: on photographs it is not expected to be accurate. \
            The caption's percentage is the probability of the predicted gender.
            """)

    @Option(help: "The int8 model blob (default: the shipped facelyzr.blob, found as `facelyzr version` lists).")
    var model: String?

    @Option(help: "Faces to show (test split, starting at --first).")
    var count = 12

    @Option(help: "First test-split face.")
    var first = 1000

    @Option(help: "The contact sheet PNG to write.")
    var sheet = "demo.png"

    func validate() throws {
        try requireOption("--count", count, in: 1...256, "in 1...256 (faces on the contact sheet)")
        try requireOption("--first", first, in: 0...(OptionBounds.splitCount - count),
                          "in 0...\(OptionBounds.splitCount - count) (the faces shown are of the synthetic test split of \(OptionBounds.splitCount))")
    }

    func run() throws {
        let (predictor, path) = try openModel(model)
        let input = predictor.input
        let faces = SyntheticFaceSource(seed: 0, size: input.width)
        let attributes = ["Smiling", "Eyeglasses", "Wearing_Hat", "No_Beard"].filter { name in predictor.predict(Array(repeating: 128, count: input.byteCount)).value(name) != nil }
        print("model \(path): \(String(decoding: predictor.model.name, as: UTF8.self)), \(input.width)x\(input.height)x\(input.channels) int8")
        print("faces: \(faces.provenance), test split \(first)..<\(first + count) (held out)")
        print("trained on synthetic faces only: on real photographs it is not expected to be accurate (README)\n")
        let header = "face  predicted gender / age              true gender / age   " + attributes.map { "\($0.prefix(10))(p/true)" }.joined(separator: " ") + "  latency"
        print(header)
        var images: [Image] = [], captions: [[String]] = []
        var genderRight = 0, ageError: Float = 0, latencies: [Double] = []
        for index in first..<(first + count) {
            let face = faces.face(index, in: .test)
            let pixels = input.channels == 3 ? face.pixels : Image(width: input.width, height: input.height, channels: 3, pixels: face.pixels).converted(toChannels: input.channels).pixels
            _ = predictor.predict(pixels)  // warm: the printed latency is the steady state
            let p = predictor.predict(pixels)
            latencies.append(p.seconds)
            let male = p.value("male") ?? .nan, age = p.value("age") ?? .nan
            let trueMale = face.labels.gender.map { $0 == 1 }, trueAge = face.labels.age
            if let trueMale, (male >= 0.5) == trueMale { genderRight += 1 }
            if let trueAge { ageError += abs(age - trueAge) }
            let predicted = "\(male >= 0.5 ? "male  " : "female") p(male) \(String(format: "%.2f", male))  age \(String(format: "%5.1f", age))"
            let truth = "\(trueMale.map { $0 ? "male  " : "female" } ?? "?     ")  age \(trueAge.map { String(format: "%5.1f", $0) } ?? "    ?")"
            let marks = attributes.map { name -> String in
                let value = p.value(name) ?? .nan
                let attribute = CelebAAttribute(name: name)!
                let known = face.labels.attributes[attribute].map { $0 ? "1" : "0" } ?? "?"
                return String(format: "%.2f/%@", value, known).padding(toLength: name.prefix(10).count + 8, withPad: " ", startingAt: 0)
            }
            print(String(format: "%4d  ", index) + predicted.padding(toLength: 36, withPad: " ", startingAt: 0) + truth.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + marks.joined(separator: " ") + String(format: " %7.1f us", p.seconds * 1e6))
            images.append(Image(width: input.width, height: input.height, channels: 3, pixels: face.pixels))
            captions.append([
                "\(male >= 0.5 ? "M" : "F") \(whole((male >= 0.5 ? male : 1 - male) * 100))% \(whole(age))Y",
                "TRUE \(trueMale.map { $0 ? "M" : "F" } ?? "?") \(trueAge.map(whole) ?? "?")Y",
            ])
        }
        let sorted = latencies.sorted()
        print("\ngender right on \(genderRight)/\(count), age mean absolute error \(String(format: "%.1f", ageError / Float(count))) years;"
              + " latency per image: median \(String(format: "%.1f", sorted[sorted.count / 2] * 1e6)) us, min \(String(format: "%.1f", sorted[0] * 1e6)) us (one thread)")
        let composed = ContactSheet(columns: min(count, 6), zoom: 2, captionLines: 2).compose(images, captions: captions)
        do { try composed.write(png: sheet) } catch { throw CommandFailure(description: "\(sheet): \(error)") }
        print("contact sheet with the predictions: \(sheet)")
    }
}
