public import ServiceKit

/// Tags ``ProductID``.
public enum ProductTag {}
/// A product's identifier, such as `p-00042`.
public typealias ProductID = Identifier<ProductTag>

/// Tags ``CategoryID``.
public enum CategoryTag {}
/// A category's identifier, such as `lighting`.
public typealias CategoryID = Identifier<CategoryTag>
