/// An error a fake dependency throws.
struct TestFailure: Error, Equatable {
    var label = "boom"
}
