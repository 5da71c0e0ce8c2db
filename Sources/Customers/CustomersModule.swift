// Replaced by the Customers implementation.
