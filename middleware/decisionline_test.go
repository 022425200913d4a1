package middleware

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden/enforcer"
)

// viaSlog is the line slog's JSON handler writes for d at t.
func viaSlog(t testing.TB, at time.Time, d *decisionRecord) []byte {
	var buf bytes.Buffer
	r := slog.NewRecord(at, d.level, decisionMsg, 0)
	r.AddAttrs(d.attrs()...)
	if err := slog.NewJSONHandler(&buf, nil).Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostile are strings a caller controls (the path, the subject of a
// token, a request id is printable only): quotes, escapes, every control
// character, invalid and overlong UTF-8, encoded surrogates, the line and
// paragraph separators, HTML, a forged record.
func hostile() []string {
	s := []string{
		"", "plain", `"`, `\`, `\"`, `"},{"result":"allow`, "a\nb", "\r\n{\"level\":\"ERROR\"}", "\t",
		"<script>&amp;</script>", "\u2028", "\u2029", "x\u2028y\u2029z", "\u2027\u202a",
		"\xff", "\xfe\xff", "\xc0\x80", "\xed\xa0\x80", "\xe2\x80", "\xe2\x80,", "\xe2", "a\xe2\x80\xa8b",
		"\xf0\x9f\x98\x80", "\xf0\x9f\x98", "é", "日本語", "\u00ad\u200b\ufeff", "\x7f", "\x00",
		strings.Repeat("é\"\n", 300),
	}
	for c := range 0x80 {
		s = append(s, "<"+string(rune(c))+">")
	}
	for c := 0x80; c < 0x100; c++ {
		s = append(s, "<"+string([]byte{byte(c)})+">")
	}
	return s
}

// The direct writer writes, byte for byte, the line slog's JSON handler
// writes for the same record, whatever the strings hold; this test fails
// for any escaping that differs from slog's (one byte, U+2028, invalid
// UTF-8), a key out of order, another time format or latency unit.
func TestDecisionLineIsSlogs(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	times := []time.Time{
		time.Date(2026, 12, 1, 17, 4, 5, 0, time.UTC),
		time.Date(2026, 12, 1, 17, 4, 5, 120_000_000, time.UTC),
		time.Date(2026, 12, 1, 17, 4, 5, 123_456_789, berlin),
		time.Date(1999, 1, 2, 3, 4, 5, 6, time.FixedZone("", -9*3600-30*60)),
		time.Now(), // with a monotonic reading, which slog drops
	}
	rules := []enforcer.Rule{
		{},
		{PType: "p", Values: []string{"group5000", "/data500", "GET"}},
		{PType: "p"},
		{PType: "p", Values: []string{""}},
		{PType: "p2", Values: []string{"a", "", "b"}},
		{PType: "g", Values: []string{"\xe2\x80", "\u2028", `"`, "\n"}},
	}
	base := decisionRecord{level: slog.LevelInfo, requestID: "req-1", subject: "alice", object: "/posts/1",
		action: "GET", result: "allow", effect: "allow", latency: 1234 * time.Nanosecond}
	var cases []decisionRecord
	for _, s := range hostile() {
		for i := range 7 {
			d := base
			switch i {
			case 0:
				d.requestID = s
			case 1:
				d.subject = s
			case 2:
				d.object = s
			case 3:
				d.action = s
			case 4:
				d.err, d.hasErr = s, true
			case 5:
				d.rule = enforcer.Rule{PType: "p", Values: []string{s, "x" + s, s + "y"}}
			case 6:
				d.effect, d.result = s, s
			}
			cases = append(cases, d)
		}
	}
	for _, r := range rules {
		for _, lvl := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
			d := base
			d.rule, d.level = r, lvl
			cases = append(cases, d)
		}
	}
	for _, lat := range []time.Duration{0, 1, time.Hour, -5, 1<<63 - 1} {
		d := base
		d.latency = lat
		cases = append(cases, d)
	}
	d := base
	d.err, d.hasErr = "", true // an error whose text is empty is still logged, as slog logs it
	cases = append(cases, d)
	for _, at := range times {
		for i := range cases {
			want := viaSlog(t, at, &cases[i])
			if got, ok := appendDecision(nil, at, &cases[i]); !ok || !bytes.Equal(got, want) {
				t.Fatalf("record %+v at %v:\n got %q\nwant %q", cases[i], at, got, want)
			}
		}
	}
}

// Every string, escaped by the direct writer, is what slog escapes.
func FuzzDecisionLine(f *testing.F) {
	for _, s := range hostile() {
		f.Add(s, "p", s)
	}
	f.Fuzz(func(t *testing.T, a, ptype, b string) {
		at := time.Date(2026, 12, 1, 17, 4, 5, 123_456_789, time.UTC)
		d := decisionRecord{level: slog.LevelWarn, requestID: a, subject: b, object: a + b, action: b,
			result: "error", effect: "none", rule: enforcer.Rule{PType: ptype, Values: []string{a, b}},
			err: b + a, hasErr: true}
		want := viaSlog(t, at, &d)
		got, ok := appendDecision(nil, at, &d)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("\n got %q\nwant %q", got, want)
		}
		if !utf8.Valid(got) || bytes.Count(got, []byte("\n")) != 1 || !json.Valid(got) {
			t.Fatalf("not one valid JSON line: %q", got)
		}
	})
}

// A decision written directly allocates nothing.
func TestDecisionLineAllocatesNothing(t *testing.T) {
	h := NewJSONHandler(&bytes.Buffer{}, nil).(*jsonHandler)
	var sink bytes.Buffer
	h.w.w = &discardCount{&sink}
	d := decisionRecord{level: slog.LevelInfo, requestID: "0123456789abcdef01234567", subject: "user50001",
		object: "/data500", action: "GET", result: "allow", effect: "allow",
		rule: enforcer.Rule{PType: "p", Values: []string{"group5000", "/data500", "GET"}}, latency: 700}
	now := time.Now()
	h.writeDecision(now, &d) // the pool's first buffer, the second's stamp
	if n := testing.AllocsPerRun(100, func() { h.writeDecision(now, &d) }); n != 0 {
		t.Fatalf("%v allocations per decision line; want 0", n)
	}
}

// discardCount keeps nothing but the length written.
type discardCount struct{ *bytes.Buffer }

func (d *discardCount) Write(b []byte) (int, error) { return len(b), nil }

// Direct lines and slog's lines, written at once from many goroutines,
// never interleave: each Write is one whole line.
func TestDecisionLinesDoNotInterleave(t *testing.T) {
	w := &lineWriter{}
	h := NewJSONHandler(w, nil)
	l := slog.New(h)
	jh := h.(*jsonHandler)
	d := decisionRecord{level: slog.LevelInfo, subject: strings.Repeat("s", 2000), result: "allow"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if g%2 == 0 {
					jh.writeDecision(time.Now(), &d)
				} else {
					l.Info("other", "k", strings.Repeat("v", 2000))
				}
			}
		}()
	}
	wg.Wait()
	if len(w.writes) != 1600 {
		t.Fatalf("%d writes; want 1600", len(w.writes))
	}
	for _, b := range w.writes {
		if bytes.Count(b, []byte("\n")) != 1 || !json.Valid(b) {
			t.Fatalf("a write is not one JSON line: %.80q", b)
		}
	}
}

// lineWriter keeps a copy of every write; it is safe only under the
// handler's lock, which the race detector checks.
type lineWriter struct{ writes [][]byte }

func (w *lineWriter) Write(b []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(b))
	return len(b), nil
}

// Only a handler made by NewJSONHandler, with options slog alone honours
// unset and no attributes or group added, is written to directly.
func TestDirectLogOnlyForPlainHandler(t *testing.T) {
	var buf bytes.Buffer
	rep := func(_ []string, a slog.Attr) slog.Attr { return a }
	tests := []struct {
		name   string
		l      *slog.Logger
		direct bool
	}{
		{"NewJSONHandler", slog.New(NewJSONHandler(&buf, nil)), true},
		{"with a level", slog.New(NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})), true},
		{"ReplaceAttr", slog.New(NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: rep})), false},
		{"AddSource", slog.New(NewJSONHandler(&buf, &slog.HandlerOptions{AddSource: true})), false},
		{"With", slog.New(NewJSONHandler(&buf, nil)).With("app", "x"), false},
		{"WithGroup", slog.New(NewJSONHandler(&buf, nil)).WithGroup("g"), false},
		{"slog's", slog.New(slog.NewJSONHandler(&buf, nil)), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := directLog(tt.l) != nil; got != tt.direct {
			t.Errorf("%s: direct %v; want %v", tt.name, got, tt.direct)
		}
	}
}

// appendTime writes what AppendFormat(RFC3339Nano) writes, for times in
// many zones (DST transitions, odd offsets), with every shape of
// fraction, the same second again and seconds that follow each other.
func TestAppendTimeIsAppendFormat(t *testing.T) {
	var locs []*time.Location
	for _, name := range []string{"UTC", "Local", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati", "Australia/Lord_Howe"} {
		if l, err := time.LoadLocation(name); err == nil {
			locs = append(locs, l)
		}
	}
	locs = append(locs, time.FixedZone("", -9*3600-30*60), time.FixedZone("X", 14*3600), time.FixedZone("", 0))
	rng := rand.New(rand.NewPCG(3, 4))
	fracs := []int{0, 1, 10, 100_000_000, 120_000_000, 123_456_789, 999_999_999, 500_000_000, 1_000}
	var times []time.Time
	for range 3000 {
		sec := rng.Int64N(4_102_444_800) - 1_000_000_000 // 1938 to 2100
		for _, f := range []int{fracs[rng.IntN(len(fracs))], rng.IntN(1_000_000_000)} {
			times = append(times, time.Unix(sec, int64(f)), time.Unix(sec+1, int64(f)), time.Unix(sec, int64(f)))
		}
	}
	// Around the 2026 DST changes of Berlin (29 March, 25 October, 01:00 UTC).
	for _, tr := range []int64{1774746000, 1792890000} {
		for d := int64(-2); d <= 2; d++ {
			times = append(times, time.Unix(tr+d, 0), time.Unix(tr+d, 999_999_999), time.Unix(tr+d, 5))
		}
	}
	times = append(times, time.Now(), time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 5, time.UTC), time.Time{})
	for _, at := range times {
		for _, l := range locs {
			tt := at.In(l)
			want := tt.Round(0).AppendFormat(nil, time.RFC3339Nano)
			got, ok := appendTime(nil, tt)
			if y := tt.Year(); y < 0 || y >= 10000 {
				if ok || len(got) != 0 {
					t.Fatalf("%v in %v: %q; want it left to slog", at, l, got)
				}
				continue
			}
			if !ok || !bytes.Equal(got, want) {
				t.Fatalf("%v in %v: %q; want %q", at, l, got, want)
			}
		}
	}
}

// A record of a year slog's handler refuses to format plainly is not
// written directly: the Auth hands it to slog, which writes its error.
func TestDecisionLineLeavesOddYearsToSlog(t *testing.T) {
	var buf bytes.Buffer
	h := NewJSONHandler(&buf, nil).(*jsonHandler)
	d := decisionRecord{level: slog.LevelInfo, result: "allow"}
	if h.writeDecision(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), &d) || buf.Len() != 0 {
		t.Fatalf("year 10000 written directly: %q", buf.String())
	}
}

// BenchmarkLogDecision is the decision log's own cost, alone: one allowed
// decision's record (its request id made, as for a request without
// X-Request-Id) through NewJSONHandler and through slog's JSON handler.
func BenchmarkLogDecision(b *testing.B) {
	d := enforcer.Decision{Allowed: true, Effect: enforcer.EffectAllow,
		Rule: enforcer.Rule{PType: "p", Values: []string{"group5000", "/data500", "GET"}}}
	values := []any{"user50001", "/data500", "GET"}
	for _, h := range []struct {
		name string
		h    slog.Handler
	}{{"direct", NewJSONHandler(io.Discard, nil)}, {"slog", slog.NewJSONHandler(io.Discard, nil)}} {
		a, err := New(WithAuthenticator(AuthenticatorFunc(nil)), WithLogger(slog.New(h.h)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(h.name, func(b *testing.B) {
			ctx := context.Background()
			st := &state{Context: ctx}
			b.ReportAllocs()
			for b.Loop() {
				st.id = "" // made again, as for each new request
				a.logDecision(ctx, st, values, d, nil, time.Now())
			}
		})
	}
}
