internal import CSQLite
public func sqliteVersion() -> String { String(cString: sqlite3_libversion()) }
