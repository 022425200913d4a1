package middleware

import (
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden/enforcer"
)

// WithDecisionLogSampling logs one in every n authorization decisions and
// guard checks (allows and denials alike; n = 1, the default, logs all of
// them, and n <= 0 none). Decisions that failed (a provider or the decider
// unavailable, answered 503) are always logged: they are what an operator
// must see. At tens of thousands of checks a second, a log line per
// decision costs more than the decision.
func WithDecisionLogSampling(n int) Option {
	return func(x *Auth) { x.decisionLog = &sampler{every: int64(n)} }
}

// sampler lets one in every n calls through; nil lets all through.
type sampler struct {
	every int64
	seen  atomic.Int64
}

func (s *sampler) take() bool {
	switch {
	case s == nil || s.every == 1:
		return true
	case s.every <= 0:
		return false
	}
	return (s.seen.Add(1)-1)%s.every == 0
}

// NewJSONHandler returns a slog.Handler that writes to w exactly what
// slog.NewJSONHandler(w, opts) writes, one JSON object a line, and that
// the middleware recognises: an Auth whose logger's handler is this one
// (WithLogger(slog.New(NewJSONHandler(w, nil)))) writes its decision
// records ("authorization decision") itself, the same bytes slog's handler
// would write, without building a slog.Record: a logged decision then costs
// a fraction of what it costs through slog. Every other record, and every
// record of a handler derived from it (Logger.With, WithGroup), goes
// through slog's JSON handler; so do decision records when opts sets
// ReplaceAttr or AddSource, which only slog's handler honours. Writes to w
// are serialised, one line a Write, as slog's handler serialises them.
//
// Nothing is buffered or dropped: a decision's line is written before the
// request goes on, as with slog.
func NewJSONHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	lw := &lockedWriter{w: w}
	var o slog.HandlerOptions
	if opts != nil {
		o = *opts
	}
	return &jsonHandler{Handler: slog.NewJSONHandler(lw, &o), w: lw, direct: o.ReplaceAttr == nil && !o.AddSource}
}

// jsonHandler is NewJSONHandler's handler: slog's JSON handler, writing
// through w, and the direct writer of decision records. Its WithAttrs and
// WithGroup are slog's (promoted): a derived handler is slog's own, with
// preformatted attributes the direct writer does not know of.
type jsonHandler struct {
	slog.Handler
	w      *lockedWriter
	direct bool // the direct writer writes what slog's handler would
}

// lockedWriter serialises the writes of slog's handler and of the direct
// writer, so that lines never interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

// directLog returns the handler the decision records of l can be written
// to directly, or nil.
func directLog(l *slog.Logger) *jsonHandler {
	if l == nil {
		return nil
	}
	if h, ok := l.Handler().(*jsonHandler); ok && h.direct {
		return h
	}
	return nil
}

// decisionRecord is the content of one decision record.
type decisionRecord struct {
	level                                      slog.Level
	requestID, subject, object, action, result string
	effect                                     string
	rule                                       enforcer.Rule
	latency                                    time.Duration
	err                                        string // "" for none
	hasErr                                     bool
}

// attrs returns the record's attributes as slog is handed them.
func (d *decisionRecord) attrs() []slog.Attr {
	attrs := []slog.Attr{
		slog.String("request_id", d.requestID),
		slog.String("subject", d.subject),
		slog.String("object", d.object),
		slog.String("action", d.action),
		slog.String("result", d.result),
		slog.String("effect", d.effect),
		slog.String("rule", d.rule.String()),
		slog.Duration("latency", d.latency),
	}
	if d.hasErr {
		attrs = append(attrs, slog.String("error", d.err))
	}
	return attrs
}

// decisionMsg is the message of decision records.
const decisionMsg = "authorization decision"

// lineBuffers are the direct writer's buffers. A buffer that grew past
// maxLineBuffer (a record with a very long path) is not kept.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxLineBuffer = 16 << 10

// writeDecision writes d, at time t, as slog's JSON handler writes the
// record of d.attrs() with message decisionMsg, through h's writer. It
// reports false, having written nothing, when only slog can write it (see
// appendTime).
func (h *jsonHandler) writeDecision(t time.Time, d *decisionRecord) bool {
	bp := lineBuffers.Get().(*[]byte)
	b, ok := appendDecision((*bp)[:0], t, d)
	if ok {
		_, _ = h.w.Write(b) // as slog.Logger, which drops the handler's error
	}
	if cap(b) <= maxLineBuffer {
		*bp = b
		lineBuffers.Put(bp)
	}
	return ok
}

// appendDecision appends the JSON line of d at time t: keys and values in
// slog's order and with slog's escaping (appendJSONString), the time as
// slog's JSON handler writes it (RFC 3339 with nanoseconds, in t's zone,
// monotonic reading dropped), the latency in nanoseconds.
// TestDecisionLineIsSlogs compares it with slog's output.
func appendDecision(b []byte, t time.Time, d *decisionRecord) ([]byte, bool) {
	b = append(b, `{"time":"`...)
	b, ok := appendTime(b, t)
	if !ok {
		return b, false
	}
	b = append(b, `","level":`...)
	b = appendJSONString(b, d.level.String())
	b = append(b, `,"msg":"`+decisionMsg+`","request_id":`...)
	b = appendJSONString(b, d.requestID)
	b = append(b, `,"subject":`...)
	b = appendJSONString(b, d.subject)
	b = append(b, `,"object":`...)
	b = appendJSONString(b, d.object)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, d.action)
	b = append(b, `,"result":`...)
	b = appendJSONString(b, d.result)
	b = append(b, `,"effect":`...)
	b = appendJSONString(b, d.effect)
	// The rule as Rule.String writes it ("p, v0, v1"), without making the
	// string: escaping is byte by byte, and ", " (ASCII) ends any UTF-8
	// sequence before it, so escaping the parts is escaping the whole.
	b = append(b, `,"rule":"`...)
	if !d.rule.IsZero() {
		b = appendEscaped(b, d.rule.PType)
		b = append(b, ", "...)
		for i, v := range d.rule.Values {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendEscaped(b, v)
		}
	}
	b = append(b, `","latency":`...)
	b = strconv.AppendInt(b, int64(d.latency), 10)
	if d.hasErr {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, d.err)
	}
	return append(b, "}\n"...), true
}

// stamp is the RFC 3339 text of one second in one location, split
// around the fraction: every decision logged in that second reuses it.
// Zone offsets change only at whole seconds, so the zone is the second's.
type stamp struct {
	sec        int64 // Unix seconds
	loc        *time.Location
	head, zone string // "2006-01-02T15:04:05" and "Z" or "-07:00"
}

// lastStamp is the stamp of the latest second formatted.
var lastStamp atomic.Pointer[stamp]

// appendTime appends t as slog's JSON handler writes it,
// t.Round(0).AppendFormat(b, time.RFC3339Nano), formatting only the
// fraction when the second is the last one formatted
// (TestAppendTimeIsAppendFormat compares them). It reports false, having
// appended nothing, for a year outside [0, 9999], for which slog's handler
// also writes an error: such a record is left to slog.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	t = t.Round(0)
	sec, ns, loc := t.Unix(), t.Nanosecond(), t.Location()
	s := lastStamp.Load()
	if s == nil || s.sec != sec || s.loc != loc {
		whole := string(time.Unix(sec, 0).In(loc).AppendFormat(nil, time.RFC3339Nano))
		if y := t.Year(); y < 0 || y >= 10000 || len(whole) < 20 {
			return b, false
		}
		s = &stamp{sec: sec, loc: loc, head: whole[:19], zone: whole[19:]}
		lastStamp.Store(s)
	}
	b = append(b, s.head...)
	if ns != 0 { // the fraction as RFC3339Nano writes it: no trailing zeros
		var d [10]byte
		d[0] = '.'
		for i := 9; i >= 1; i-- {
			d[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for d[n-1] == '0' {
			n--
		}
		b = append(b, d[:n]...)
	}
	return append(b, s.zone...), true
}

// appendJSONString appends s as a JSON string, escaped as slog's JSON
// handler escapes it.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped is log/slog's appendEscapedJSONString: '"', '\\' and the
// control characters below U+0020 escaped (\n, \r, \t by name, the others
// as \u00XX), each byte of invalid UTF-8 as \ufffd, U+2028 and U+2029 as
// \u2028 and \u2029 (they end a line in JavaScript), everything else,
// '<', '>' and '&' included, as it is. A log line thus never holds a raw
// newline or a quote a value did not escape: a value cannot forge a
// record or a field.
func appendEscaped(b []byte, s string) []byte {
	// Most values need no escape at all: find the first byte that may,
	// one table lookup a byte, and copy what comes before it at once.
	i := 0
	for i < len(s) && plainJSON[s[i]] {
		i++
	}
	b = append(b, s[:i]...)
	if i == len(s) {
		return b
	}
	start := i
	for i < len(s) {
		if c := s[i]; plainJSON[c] {
			i++
			continue
		} else if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

const hexDigits = "0123456789abcdef"

// plainJSON holds the bytes appendEscaped copies as they are without
// looking further: printable ASCII but '"' and '\\'. Bytes from 0x80 start
// UTF-8 sequences, which are checked one by one.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
