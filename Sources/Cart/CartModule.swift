// Replaced by the Cart implementation.
