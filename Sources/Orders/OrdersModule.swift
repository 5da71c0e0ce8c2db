// Replaced by the Orders implementation.
