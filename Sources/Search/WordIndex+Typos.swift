extension WordIndex {
    /// How many edits a word of `length` characters may have and still match: none up to 2 characters, one up to 5,
    /// two beyond (what Elasticsearch calls `fuzziness: AUTO`).
    static func allowedEdits(length: Int) -> Int {
        length <= 2 ? 0 : length <= 5 ? 1 : 2
    }

    /// The ids of the terms within the allowed edits of any of `forms` (an edit inserts, deletes or replaces one
    /// byte, or swaps two neighbours; each form is allowed ``allowedEdits(length:)`` for its own length); with
    /// `prefix`, of the terms one of whose prefixes is that close, so that a mistyped last word still completes.
    ///
    /// The forms are a query word as typed and as stemmed: a stem can lose more of a mistyped word than of the
    /// right one ("wireles" stems to "wirel", three edits from "wireless", while the typed word is one).
    func ids(near forms: [String], prefix: Bool) -> [UInt32] {
        let wanted = forms.map { (bytes: Array($0.utf8), maximum: Self.allowedEdits(length: $0.count)) }.filter { $0.maximum > 0 }
        var ids: [UInt32] = []
        var scratch = EditScratch()
        for id in sortedTermIDs {
            let term = terms[Int(id)]
            let close =
                term.utf8.withContiguousStorageIfAvailable { candidate in
                    wanted.contains { Self.isWithin($0.maximum, from: $0.bytes, to: candidate, prefix: prefix, scratch: &scratch) }
                } ?? wanted.contains { Self.isWithin($0.maximum, from: $0.bytes, to: Array(term.utf8)[...], prefix: prefix, scratch: &scratch) }
            if close { ids.append(id) }
        }
        return ids
    }

    /// Rows of the edit-distance table, reused from one term to the next.
    struct EditScratch {
        var before: [Int] = []
        var previous: [Int] = []
        var current: [Int] = []

        /// Rows of `columns` cells, the first (the empty word against each prefix of the term) filled in.
        mutating func reset(columns: Int) {
            for index in 0..<columns {
                if index < previous.count {
                    previous[index] = index
                } else {
                    before.append(0)
                    previous.append(index)
                    current.append(0)
                }
            }
            if previous.count > columns {
                before.removeLast(previous.count - columns)
                previous.removeLast(previous.count - columns)
                current.removeLast(current.count - columns)
            }
        }
    }

    /// Whether `word` is within `maximum` edits of `term` (or, with `prefix`, of a prefix of it): the optimal string
    /// alignment distance, stopping as soon as two rows of the table are all above `maximum`.
    static func isWithin<Term: RandomAccessCollection<UInt8>>(
        _ maximum: Int,
        from word: [UInt8],
        to term: Term,
        prefix: Bool,
        scratch: inout EditScratch
    ) -> Bool where Term.Index == Int {
        let termLength = term.count
        if prefix {
            guard termLength + maximum >= word.count else { return false }
        } else {
            guard abs(termLength - word.count) <= maximum else { return false }
        }
        if word.isEmpty { return prefix || termLength <= maximum }
        if termLength == 0 { return word.count <= maximum }
        let start = term.startIndex
        scratch.reset(columns: termLength + 1)
        var lastRowMinimum = 0
        for i in 1...word.count {
            scratch.current[0] = i
            var rowMinimum = i
            for j in 1...termLength {
                let cost = word[i - 1] == term[start + j - 1] ? 0 : 1
                var value = min(scratch.previous[j] + 1, scratch.current[j - 1] + 1, scratch.previous[j - 1] + cost)
                if i > 1 && j > 1 && word[i - 1] == term[start + j - 2] && word[i - 2] == term[start + j - 1] {
                    value = min(value, scratch.before[j - 2] + 1)
                }
                scratch.current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > maximum && lastRowMinimum > maximum { return false }
            lastRowMinimum = rowMinimum
            swap(&scratch.before, &scratch.previous)
            swap(&scratch.previous, &scratch.current)
        }
        // `previous` now holds the last row: the word against every prefix of the term.
        return prefix ? scratch.previous.min()! <= maximum : scratch.previous[termLength] <= maximum
    }
}
