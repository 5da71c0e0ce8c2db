public import ServiceKit

/// Tags ``CategoryID``.
public enum CategoryTag {}
/// A category's identifier, such as `lighting`.
public typealias CategoryID = Identifier<CategoryTag>
