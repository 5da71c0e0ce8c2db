import Storage

/// Which terms a query matched: exact terms, and prefixes for a last word that completes.
struct TermMatcher {
    var terms: Set<String>
    var prefixes: [String]

    func matches(_ term: String) -> Bool {
        terms.contains(term) || prefixes.contains { term.utf8.starts(with: $0.utf8) }
    }
}

/// Marks a hit's matched words, as FTS5's `highlight()` and `snippet()` do: the text is split by the index's own
/// tokenizer, so exactly the tokens whose terms matched are marked; everything else is HTML-escaped.
struct SearchMarkup {
    let tokenizer: FullTextTokenizer
    let matcher: TermMatcher
    /// Tokens in a snippet.
    static let snippetLength = 16

    /// The whole text with its matched words between `<mark>` and `</mark>`.
    func highlighted(_ text: String) -> String {
        let tokens = tokenizer.tokens(in: text)
        let bytes = Array(text.utf8)
        return mark(bytes, tokens: tokens[...], from: 0, to: bytes.count)
    }

    /// About ``snippetLength`` tokens of the text around the most distinct matched terms (the earliest such window),
    /// marked, with `…` where text was cut.
    func snippet(_ text: String) -> String {
        let tokens = tokenizer.tokens(in: text)
        let bytes = Array(text.utf8)
        let length = Self.snippetLength
        guard tokens.count > length else { return mark(bytes, tokens: tokens[...], from: 0, to: bytes.count) }
        let matched = tokens.map { matcher.matches($0.term) }
        var best = (start: 0, distinct: 0, total: 0)
        // Windows start a few tokens before a match, so that the match has some context on its left.
        for position in tokens.indices where matched[position] {
            let start = max(0, min(position - 2, tokens.count - length))
            let window = start..<(start + length)
            let terms = Set(window.filter { matched[$0] }.map { tokens[$0].term })
            let total = window.count { matched[$0] }
            if (terms.count, total) > (best.distinct, best.total) { best = (start, terms.count, total) }
        }
        let end = best.start + length
        let from = best.start == 0 ? 0 : tokens[best.start].range.lowerBound
        let to = end == tokens.count ? bytes.count : tokens[end - 1].range.upperBound
        return (best.start == 0 ? "" : "…") + mark(bytes, tokens: tokens[best.start..<end], from: from, to: to)
            + (end == tokens.count ? "" : "…")
    }

    private func mark(_ bytes: [UInt8], tokens: ArraySlice<FullTextTokenizer.Token>, from: Int, to: Int) -> String {
        var result = ""
        var cursor = from
        for token in tokens where matcher.matches(token.term) {
            result += Self.escape(bytes[cursor..<token.range.lowerBound])
            result += "<mark>" + Self.escape(bytes[token.range]) + "</mark>"
            cursor = token.range.upperBound
        }
        return result + Self.escape(bytes[cursor..<to])
    }

    static func escape(_ bytes: ArraySlice<UInt8>) -> String {
        var result = ""
        for character in String(decoding: bytes, as: UTF8.self) {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
