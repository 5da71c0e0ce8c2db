import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Maildir-style spool of outgoing mail under the data directory: a message is written to `mail/tmp/`, synced,
/// then renamed into `mail/new/<name>`, so a reader (an SMTP relay) never sees half a file. Files and directories are
/// readable by the owner only: they hold people's addresses.
struct MailSpool: Sendable {
    /// The spool's root, `<data>/mail`.
    let root: String

    /// A spool under `directory`.
    init(directory: String) {
        root = directory + "/mail"
    }

    /// Where a delivered message lives.
    func path(of name: String) -> String { "\(root)/new/\(name)" }

    /// Whether `name` is in `new/`.
    func contains(_ name: String) -> Bool { access(path(of: name), F_OK) == 0 }

    /// Writes `bytes` as `new/<name>`, replacing a file of that name: through a file of its own in `tmp/`, synced
    /// and renamed, so two writers of the same message leave one whole file.
    /// - Throws: ``SpoolError`` naming the failed step.
    func write(_ bytes: [UInt8], as name: String) throws {
        try makeDirectories()
        let temporary = "\(root)/tmp/\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError(step: "create \(temporary)", code: errno) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw SpoolError(step: "write \(temporary)", code: code)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw SpoolError(step: "sync \(temporary)", code: code)
        }
        close(descriptor)
        guard rename(temporary, path(of: name)) == 0 else {
            let code = errno
            unlink(temporary)
            throw SpoolError(step: "rename \(temporary)", code: code)
        }
        syncDirectory("\(root)/new")
    }

    /// Deletes `names` from `new/`, with any file of theirs left in `tmp/` by a writer that stopped half-way; a
    /// name already gone is fine.
    /// - Throws: ``SpoolError`` when a file exists and cannot be deleted.
    func remove(_ names: [String]) throws {
        guard !names.isEmpty else { return }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/tmp")) ?? []
        for name in names {
            try unlinkIfPresent(path(of: name))
            for leftover in leftovers where leftover.hasPrefix(name + ".") {
                try unlinkIfPresent("\(root)/tmp/\(leftover)")
            }
        }
        syncDirectory("\(root)/new")
    }

    /// Deletes files in `tmp/` older than `age`: what a writer that crashed left there.
    func removeStaleTemporaries(olderThan age: TimeInterval, now: Date) {
        let directory = "\(root)/tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            let path = "\(directory)/\(name)"
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { continue }
            if now.timeIntervalSince(modified) > age { unlink(path) }
        }
    }

    private func makeDirectories() throws {
        for directory in [root, "\(root)/tmp", "\(root)/new", "\(root)/cur"] where access(directory, F_OK) != 0 {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw SpoolError(step: "create \(directory)", code: errno) }
        }
    }

    private func unlinkIfPresent(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw SpoolError(step: "delete \(path)", code: errno) }
    }

    /// Makes a rename or delete in `directory` durable; best effort (a failure leaves it to the file system).
    private func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// `write(2)`, named apart from ``MailSpool/write(_:as:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// A spool file operation that failed: the step and the system's reason.
struct SpoolError: Error, CustomStringConvertible {
    /// What was being done, such as `rename /data/mail/tmp/ntf_1.eml.12.34`.
    let step: String
    /// `errno`.
    let code: Int32
    var description: String { "cannot \(step): \(String(cString: strerror(code)))" }
}
