// Replaced by the Orders API.
