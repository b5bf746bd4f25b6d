import ArgumentParser

/// The one range check behind the numeric options: throws a `ValidationError` that names
/// `option`, says what the value must be (`requirement`, in words, with the range) and what it
/// got, unless `value` lies in `range`. A NaN lies in no range and an infinity in no finite
/// one, so a finite range also refuses the non-finite values.
package func requireOption<T: Comparable>(_ option: String, _ value: T, in range: ClosedRange<T>, _ requirement: String) throws {
    guard range.contains(value) else { throw ValidationError("\(option) must be \(requirement), not \(value)") }
}
