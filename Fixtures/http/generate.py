#!/usr/bin/env python3
"""Writes the HTTP/1.1 request corpus: one raw file per case and manifest.tsv.

Run from anywhere: `python3 Fixtures/http/generate.py`. It deletes the *.http files in this directory and
rewrites them with manifest.tsv, so the corpus is always exactly what this script lists. Cases are bytes
literals, so CR, LF, bare CR, NUL and non-ASCII bytes are written exactly. See README.md for the format.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
CRLF = b"\r\n"
HOST = b"Host: example.com\r\n"

cases = []  # (name, raw bytes, expected status, "close" | "keep", description)


def case(name, raw, status, connection, description):
    assert connection in ("close", "keep"), name
    assert "\t" not in description and "\n" not in description, name
    cases.append((name, raw, status, connection, description))


def get(headers=HOST, target=b"/echo", version=b"HTTP/1.1", method=b"GET"):
    return method + b" " + target + b" " + version + CRLF + headers + CRLF


def post(headers, body=b""):
    return b"POST /echo HTTP/1.1\r\n" + HOST + headers + CRLF + body


CHUNKED = b"Transfer-Encoding: chunked\r\n"

# --- valid requests: a server answers 200 from /echo -------------------------------------------
case("get", get(), 200, "keep", "plain HTTP/1.1 GET")
case("get-connection-close", get(HOST + b"Connection: close\r\n"), 200, "close", "Connection: close ends keep-alive")
case("http10-get", get(b"", version=b"HTTP/1.0"), 200, "close", "HTTP/1.0 without Host closes by default")
case("http10-keep-alive", get(b"Connection: keep-alive\r\n", version=b"HTTP/1.0"), 200, "keep",
     "HTTP/1.0 with Connection: keep-alive")
case("http11-keep-alive-and-close", get(HOST + b"Connection: keep-alive, close\r\n"), 200, "close",
     "close wins over keep-alive in one Connection list")
case("post-content-length", post(b"Content-Length: 5\r\n", b"hello"), 200, "keep", "POST with a Content-Length body")
case("post-content-length-zero", post(b"Content-Length: 0\r\n"), 200, "keep", "Content-Length: 0")
case("content-length-leading-zeros", post(b"Content-Length: 007\r\n", b"1234567"), 200, "keep",
     "Content-Length 007 is 1*DIGIT and means 7")
case("post-chunked", post(CHUNKED, b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), 200, "keep", "chunked body in two chunks")
case("chunked-uppercase-hex", post(CHUNKED, b"A\r\n0123456789\r\n000\r\n\r\n"), 200, "keep",
     "upper-case hex size and a zero-size chunk written 000")
case("chunked-leading-zero-size", post(CHUNKED, b"0005\r\nhello\r\n0\r\n\r\n"), 200, "keep", "chunk size with leading zeros")
case("chunked-extensions", post(CHUNKED, b'5;name=value;flag\r\nhello\r\n0;last="quoted \\" ;string"\r\n\r\n'), 200,
     "keep", "chunk extensions with token and quoted-string values are ignored")
case("chunked-extension-bws", post(CHUNKED, b"5 ; name = value\r\nhello\r\n0\r\n\r\n"), 200, "keep",
     "whitespace around ; and = in a chunk extension (BWS)")
case("chunked-trailers", post(CHUNKED, b"5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"), 200, "keep",
     "trailer fields after the last chunk")
case("transfer-encoding-case", post(b"Transfer-Encoding: Chunked\r\n", b"0\r\n\r\n"), 200, "keep",
     "transfer coding names are case-insensitive")
case("expect-100-continue", post(b"Expect: 100-continue\r\nContent-Length: 5\r\n", b"hello"), 200, "keep",
     "Expect: 100-continue with the body already sent")
case("header-name-case", get(b"hOsT: example.com\r\ncONNECTION: close\r\n"), 200, "close", "field names are case-insensitive")
case("empty-header-value", get(HOST + b"X-Empty:\r\n"), 200, "keep", "a field with an empty value")
case("header-value-whitespace", get(b"Host: \t example.com \t\r\nX-Tab: a\tb\r\n"), 200, "keep",
     "OWS around a value is dropped, HTAB inside is kept")
case("header-value-obs-text", get(HOST + b"X-Latin: caf\xe9\r\n"), 200, "keep", "obs-text byte 0xE9 in a value")
case("host-with-port", get(b"Host: example.com:8080\r\n"), 200, "keep", "Host with a port")
case("host-ipv6", get(b"Host: [::1]:8080\r\n"), 200, "keep", "Host with an IPv6 literal and port")
case("host-empty", get(b"Host:\r\n"), 200, "keep", "an empty Host is valid (RFC 9112 3.2)")
case("absolute-form", get(target=b"http://example.com/echo"), 200, "keep", "absolute-form target, still needs Host")
case("http12-as-http11", get(version=b"HTTP/1.2"), 200, "keep", "HTTP/1.2 is read as HTTP/1.1 (RFC 9110 2.5)")
case("leading-empty-line", CRLF + CRLF + get(), 200, "keep", "empty lines before a request line are ignored")
case("pipelined-gets", get() + get(), 200, "keep", "two pipelined GETs in one write")
case("pipelined-post-get", post(b"Content-Length: 5\r\n", b"hello") + get(), 200, "keep", "POST body then a GET")
case("pipelined-chunked-crlf-get", post(CHUNKED, b"5\r\nhello\r\n0\r\n\r\n") + CRLF + get(), 200, "keep",
     "chunked POST, a stray CRLF, then a GET")
case("pipelined-last-closes", get() + get(HOST + b"Connection: close\r\n"), 200, "close",
     "second pipelined request asks to close")

# --- request line -------------------------------------------------------------------------------
case("missing-version", b"GET /echo\r\n" + HOST + CRLF, 400, "close", "HTTP/0.9-style request line without a version")
case("double-space", b"GET  /echo HTTP/1.1\r\n" + HOST + CRLF, 400, "close", "two spaces after the method")
case("trailing-space", b"GET /echo HTTP/1.1 \r\n" + HOST + CRLF, 400, "close", "space after the version")
case("tab-separator", b"GET\t/echo HTTP/1.1\r\n" + HOST + CRLF, 400, "close", "HTAB instead of SP on the request line")
case("lowercase-http", get(version=b"http/1.1"), 400, "close", "HTTP-name is case-sensitive")
case("version-two-digit-minor", get(version=b"HTTP/1.10"), 400, "close", "version digits are single DIGITs")
case("version-missing-minor", get(version=b"HTTP/1"), 400, "close", "version without a minor number")
case("http20", get(version=b"HTTP/2.0"), 505, "close", "HTTP/2.0 on an HTTP/1.1 connection")
case("http30", get(version=b"HTTP/3.0"), 505, "close", "HTTP/3.0")
case("http09", get(version=b"HTTP/0.9"), 505, "close", "HTTP/0.9 with a version string")
case("method-invalid-char", get(method=b"GE(T"), 400, "close", "a ( in the method is not a tchar")
case("method-nul", get(method=b"G\x00ET"), 400, "close", "NUL inside the method")
case("method-non-ascii", get(method=b"G\xc3\x89T"), 400, "close", "non-ASCII method")
case("target-not-origin-form", get(target=b"echo"), 400, "close", "target neither /path nor scheme://")
case("target-asterisk-get", get(target=b"*"), 400, "close", "asterisk-form is for OPTIONS only")
case("target-authority-get", get(target=b"example.com:80"), 400, "close", "authority-form is for CONNECT only")
case("connect-origin-form", get(method=b"CONNECT", target=b"/echo"), 400, "close", "CONNECT needs authority-form")
case("target-fragment", get(target=b"/echo#frag"), 400, "close", "a fragment is never sent")
case("target-nul", get(target=b"/ec\x00ho"), 400, "close", "NUL in the target")
case("target-del", get(target=b"/ec\x7fho"), 400, "close", "DEL in the target")
case("target-non-ascii", get(target=b"/caf\xc3\xa9"), 400, "close", "raw UTF-8 in the target must be percent-encoded")
case("request-line-bare-cr", b"GET /echo\rX HTTP/1.1\r\n" + HOST + CRLF, 400, "close", "bare CR inside the request line")
case("request-line-bare-lf", b"GET /echo HTTP/1.1\n" + HOST + CRLF, 400, "close", "request line ended by LF alone")
case("bare-lf-everywhere", b"GET /echo HTTP/1.1\nHost: example.com\n\n", 400, "close",
     "LF-only line endings throughout (rejected, see README)")
case("leading-bare-lf", b"\n" + get(), 400, "close", "an empty line before the request line must be CRLF too")

pad = 8192 - len(b"GET /echo?pad= HTTP/1.1")
case("request-line-8192", get(target=b"/echo?pad=" + b"a" * pad), 200, "keep", "request line of exactly 8192 bytes")
case("request-line-8193", get(target=b"/echo?pad=" + b"a" * (pad + 1)), 414, "close", "request line of 8193 bytes")
case("request-line-unterminated", b"GET /echo?pad=" + b"a" * 9000, 414, "close",
     "9 KiB of request line and no line end yet")

# --- header fields ------------------------------------------------------------------------------
case("missing-host", get(b"Accept: */*\r\n"), 400, "close", "HTTP/1.1 without Host")
case("duplicate-host", get(HOST + b"Host: other.example\r\n"), 400, "close", "two Host fields")
case("duplicate-host-same", get(HOST + HOST), 400, "close", "two identical Host fields")
case("http10-duplicate-host", get(HOST + HOST, version=b"HTTP/1.0"), 400, "close", "two Host fields in HTTP/1.0")
case("host-space", get(b"Host: exa mple.com\r\n"), 400, "close", "space inside Host")
case("host-userinfo", get(b"Host: user@example.com\r\n"), 400, "close", "userinfo in Host")
case("host-path", get(b"Host: example.com/echo\r\n"), 400, "close", "path in Host")
case("host-port-not-digits", get(b"Host: example.com:http\r\n"), 400, "close", "non-numeric port")
case("host-port-too-large", get(b"Host: example.com:65536\r\n"), 400, "close", "port above 65535")
case("host-list", get(b"Host: a.example, b.example\r\n"), 400, "close", "a list of hosts")
case("whitespace-before-colon", get(b"Host : example.com\r\n"), 400, "close", "SP between field name and colon")
case("tab-before-colon", get(HOST + b"X-Test\t: 1\r\n"), 400, "close", "HTAB between field name and colon")
case("obs-fold", get(HOST + b"X-Folded: a\r\n b\r\n"), 400, "close", "obs-fold continuation line")
case("whitespace-before-first-field", b"GET /echo HTTP/1.1\r\n " + HOST + CRLF, 400, "close",
     "whitespace-preceded line right after the request line")
case("missing-colon", get(HOST + b"NoColonHere\r\n"), 400, "close", "field line without a colon")
case("empty-field-name", get(HOST + b": value\r\n"), 400, "close", "field line starting with a colon")
case("field-name-invalid-char", get(HOST + b"X(Bad): 1\r\n"), 400, "close", "( in a field name")
case("field-name-non-ascii", get(HOST + b"X-Caf\xc3\xa9: 1\r\n"), 400, "close", "non-ASCII field name")
case("field-value-nul", get(HOST + b"X-Test: a\x00b\r\n"), 400, "close", "NUL in a field value")
case("field-value-ctl", get(HOST + b"X-Test: a\x01b\r\n"), 400, "close", "control character 0x01 in a field value")
case("field-value-del", get(HOST + b"X-Test: a\x7fb\r\n"), 400, "close", "DEL in a field value")
case("field-value-bare-cr", get(HOST + b"X-Test: a\rb\r\n"), 400, "close", "bare CR inside a field value")
case("field-bare-cr-terminator", b"GET /echo HTTP/1.1\r\nX-Test: a\r" + HOST + CRLF, 400, "close",
     "a field line ended by CR alone hides the next field")
case("field-bare-lf", b"GET /echo HTTP/1.1\r\nX-Test: a\n" + HOST + CRLF, 400, "close", "a field line ended by LF alone")
case("head-end-bare-lf", b"GET /echo HTTP/1.1\r\n" + HOST + b"\n", 400, "close", "header section ended by LF alone")

section_pad = 16384 - len(HOST + b"X-Pad: \r\n" + CRLF)
case("header-section-16384", get(HOST + b"X-Pad: " + b"p" * section_pad + CRLF), 200, "keep",
     "header section of exactly 16384 bytes")
case("header-section-16385", get(HOST + b"X-Pad: " + b"p" * (section_pad + 1) + CRLF), 431, "close",
     "header section of 16385 bytes")
case("header-section-unterminated", b"GET /echo HTTP/1.1\r\n" + HOST + b"X-Pad: " + b"p" * 17000, 431, "close",
     "17 KiB of header field and no line end yet")
fields = b"".join(b"X-Field-%d: %d\r\n" % (n, n) for n in range(99))
case("header-fields-100", get(HOST + fields), 200, "keep", "exactly 100 header fields")
case("header-fields-101", get(HOST + fields + b"X-One-Too-Many: 1\r\n"), 431, "close", "101 header fields")

# --- body framing and request smuggling ---------------------------------------------------------
case("cl-and-te", post(b"Content-Length: 5\r\n" + CHUNKED, b"0\r\n\r\n"), 400, "close", "CL.TE: both framings")
case("te-and-cl", post(CHUNKED + b"Content-Length: 5\r\n", b"0\r\n\r\n"), 400, "close", "TE.CL: both framings, TE first")
case("cl-duplicate-different", post(b"Content-Length: 5\r\nContent-Length: 6\r\n", b"hello!"), 400, "close",
     "two Content-Length fields that disagree")
case("cl-duplicate-same", post(b"Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"), 400, "close",
     "two identical Content-Length fields (rejected, see README)")
case("cl-list-same", post(b"Content-Length: 5, 5\r\n", b"hello"), 400, "close", "Content-Length list 5, 5 (rejected)")
case("cl-list-different", post(b"Content-Length: 5, 6\r\n", b"hello!"), 400, "close", "Content-Length list 5, 6")
case("cl-plus", post(b"Content-Length: +5\r\n", b"hello"), 400, "close", "Content-Length with a leading +")
case("cl-negative", post(b"Content-Length: -5\r\n", b"hello"), 400, "close", "negative Content-Length")
case("cl-empty", post(b"Content-Length:\r\n"), 400, "close", "empty Content-Length")
case("cl-hex", post(b"Content-Length: 0x5\r\n", b"hello"), 400, "close", "hexadecimal Content-Length")
case("cl-decimal-point", post(b"Content-Length: 5.0\r\n", b"hello"), 400, "close", "Content-Length 5.0")
case("cl-inner-space", post(b"Content-Length: 1 0\r\n", b"0123456789"), 400, "close", "space between digits")
case("cl-overflow", post(b"Content-Length: 99999999999999999999999\r\n"), 400, "close", "Content-Length beyond Int64")
case("cl-too-large", post(b"Content-Length: 1048577\r\n"), 413, "close", "Content-Length one over 1 MiB, body not sent")
case("cl-space-before-colon", post(b"Content-Length : 5\r\n", b"hello"), 400, "close", "Content-Length<SP>:")
case("te-chunked-identity", post(b"Transfer-Encoding: chunked, identity\r\n", b"0\r\n\r\n"), 400, "close",
     "chunked is not the final coding")
case("te-chunked-gzip", post(b"Transfer-Encoding: chunked, gzip\r\n", b"0\r\n\r\n"), 400, "close",
     "chunked before gzip")
case("te-chunked-twice", post(b"Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n"), 400, "close",
     "chunked applied twice")
case("te-two-fields-chunked-first", post(CHUNKED + b"Transfer-Encoding: gzip\r\n", b"0\r\n\r\n"), 400, "close",
     "two TE fields whose combined list ends in gzip")
case("te-identity-chunked", post(b"Transfer-Encoding: identity, chunked\r\n", b"0\r\n\r\n"), 501, "close",
     "identity is not a registered coding any more")
case("te-gzip", post(b"Transfer-Encoding: gzip\r\n", b"0\r\n\r\n"), 501, "close", "gzip alone")
case("te-gzip-chunked", post(b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n"), 501, "close",
     "gzip then chunked: well-formed but unsupported")
case("te-xchunked", post(b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n"), 501, "close", "xchunked is not chunked")
case("te-space-before-colon", post(b"Transfer-Encoding : chunked\r\n", b"0\r\n\r\n"), 400, "close",
     "Transfer-Encoding<SP>: chunked")
case("te-obs-fold", post(b"Transfer-Encoding:\r\n chunked\r\n", b"0\r\n\r\n"), 400, "close", "TE value on a folded line")
case("te-obs-fold-after-value", post(b"Transfer-Encoding: gzip\r\n , chunked\r\n", b"0\r\n\r\n"), 400, "close",
     "chunked hidden in an obs-fold continuation")
case("te-empty", post(b"Transfer-Encoding:\r\n"), 400, "close", "empty Transfer-Encoding")
case("te-quoted", post(b'Transfer-Encoding: "chunked"\r\n', b"0\r\n\r\n"), 400, "close", "quoted coding name")
case("te-chunked-parameter", post(b"Transfer-Encoding: chunked;q=1\r\n", b"0\r\n\r\n"), 400, "close",
     "chunked takes no parameters")
case("te-vertical-tab", post(b"Transfer-Encoding:\x0bchunked\r\n", b"0\r\n\r\n"), 400, "close", "VT before chunked")
case("te-nul", post(b"Transfer-Encoding: chunked\x00\r\n", b"0\r\n\r\n"), 400, "close", "NUL after chunked")
case("te-http10", b"POST /echo HTTP/1.0\r\n" + CHUNKED + CRLF + b"0\r\n\r\n", 400, "close",
     "HTTP/1.0 with Transfer-Encoding")
case("pipelined-then-cl-te", get() + post(b"Content-Length: 5\r\n" + CHUNKED, b"0\r\n\r\n"), 400, "close",
     "a valid GET followed by a CL.TE request: first 200, then 400")
case("cl-body-then-leftover-chunk", post(b"Content-Length: 5\r\n", b"hello0\r\n\r\n"), 400, "close",
     "bytes after a Content-Length body are the next request line: a leftover last-chunk is rejected")

# --- chunked body -------------------------------------------------------------------------------
case("chunk-size-0x", post(CHUNKED, b"0x5\r\nhello\r\n0\r\n\r\n"), 400, "close", "0x prefix on a chunk size")
case("chunk-size-negative", post(CHUNKED, b"-5\r\nhello\r\n0\r\n\r\n"), 400, "close", "negative chunk size")
case("chunk-size-plus", post(CHUNKED, b"+5\r\nhello\r\n0\r\n\r\n"), 400, "close", "chunk size with a leading +")
case("chunk-size-empty", post(CHUNKED, b"\r\nhello\r\n0\r\n\r\n"), 400, "close", "empty chunk-size line")
case("chunk-size-invalid-char", post(CHUNKED, b"5g\r\nhello\r\n0\r\n\r\n"), 400, "close", "g after the size")
case("chunk-size-trailing-space", post(CHUNKED, b"5 \r\nhello\r\n0\r\n\r\n"), 400, "close",
     "whitespace after the size without an extension")
case("chunk-size-overflow", post(CHUNKED, b"1" + b"0" * 16 + b"5\r\nhello\r\n0\r\n\r\n"), 400, "close",
     "chunk size 0x1000...05 overflows 64 bits")
case("chunk-size-too-large", post(CHUNKED, b"100001\r\n"), 413, "close", "one chunk announcing 1 MiB + 1")
case("chunk-data-overrun", post(CHUNKED, b"5\r\nhelloX\r\n0\r\n\r\n"), 400, "close", "chunk data longer than its size")
case("chunk-data-lf-terminator", post(CHUNKED, b"5\r\nhello\n0\r\n\r\n"), 400, "close", "chunk data ended by LF alone")
case("chunk-size-lf-terminator", post(CHUNKED, b"5\nhello\r\n0\r\n\r\n"), 400, "close", "chunk-size line ended by LF alone")
case("last-chunk-lf-terminator", post(CHUNKED, b"5\r\nhello\r\n0\n\r\n"), 400, "close", "last-chunk line ended by LF alone")
case("chunk-extension-bare-lf", post(CHUNKED, b"5;a\nb\r\nhello\r\n0\r\n\r\n"), 400, "close",
     "LF inside a chunk extension")
case("chunk-extension-bare-cr", post(CHUNKED, b"5;a\rb\r\nhello\r\n0\r\n\r\n"), 400, "close",
     "CR inside a chunk extension")
case("chunk-extension-no-name", post(CHUNKED, b"5;=x\r\nhello\r\n0\r\n\r\n"), 400, "close", "extension without a name")
case("chunk-extension-open-quote", post(CHUNKED, b'5;a="abc\r\nhello\r\n0\r\n\r\n'), 400, "close",
     "unterminated quoted-string in an extension")
case("chunk-extension-too-long", post(CHUNKED, b"5;" + b"x" * 5000 + b"\r\nhello\r\n0\r\n\r\n"), 400, "close",
     "a 5 KiB chunk extension")
case("trailer-obs-fold", post(CHUNKED, b"0\r\nX-Trailer: a\r\n b\r\n\r\n"), 400, "close", "obs-fold in a trailer")
case("trailer-invalid-name", post(CHUNKED, b"0\r\nX Trailer: a\r\n\r\n"), 400, "close", "space in a trailer name")
case("trailer-bare-lf", post(CHUNKED, b"0\r\nX-Trailer: a\n\r\n"), 400, "close", "trailer ended by LF alone")
trailers = b"".join(b"X-Trailer-%d: %d\r\n" % (n, n) for n in range(101))
case("trailer-fields-101", post(CHUNKED, b"0\r\n" + trailers + CRLF), 431, "close", "101 trailer fields")


def main():
    for old in HERE.glob("*.http"):
        old.unlink()
    names = set()
    lines = ["# file\texpected-status\tclose|keep\tdescription  (written by generate.py; do not edit)"]
    for number, (name, raw, status, connection, description) in enumerate(cases, start=1):
        assert name not in names, name
        names.add(name)
        file = "%03d-%s.http" % (number, name)
        (HERE / file).write_bytes(raw)
        lines.append("\t".join([file, str(status), connection, description]))
    (HERE / "manifest.tsv").write_text("\n".join(lines) + "\n")
    print("wrote %d cases" % len(cases))


if __name__ == "__main__":
    main()
