// Replaced by the Payments implementation.
