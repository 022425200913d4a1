// Package csvfile is a Casbin adapter for policy CSV files that reports
// every problem as FILE:LINE: message.
//
// A policy file holds one rule per line, `PTYPE, VALUE, ...`, for example
// `p, alice, /posts, GET` or `g, alice, editor`. Blank lines and lines
// starting with # are skipped; a UTF-8 byte order mark, CRLF line ends and
// spaces after commas are accepted. A line is split into fields exactly as
// Casbin's own file adapter splits it: the space before a comma is part of
// the value, so `p, alice , /x` is subject "alice " to both (the enforcer
// and `warden lint` refuse such a value, naming the line and the field). A
// field containing a comma, a quote or outer spaces is written in double
// quotes ("a, b", "say ""hi""").
//
// Loading is all-or-nothing: the whole file is parsed and checked against
// the model before the first rule is added, so a bad file never leaves a
// half-loaded policy behind. Errors are *ParseError values that match the
// sentinels ErrSyntax, ErrFieldCount, ErrUnknownPType, ErrLineTooLong and
// ErrBinary with errors.Is.
package csvfile
