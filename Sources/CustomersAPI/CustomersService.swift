// Replaced by the Customers API.
