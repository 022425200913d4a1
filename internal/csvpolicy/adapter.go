package csvpolicy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// Adapter stores a Casbin policy in one CSV file.
//
// It implements persist.Adapter, persist.BatchAdapter and
// persist.ContextAdapter, so an enforcer's changes are written through:
// added rules are appended, removed rules are cut out of the file with
// comments and the order of other lines kept (line ends become \n), and
// SavePolicy replaces the file atomically (comments are not kept there,
// since the model has none). Removals and saves go through a temporary file
// and a rename, so a reader never sees half a file.
type Adapter struct {
	path string
	mode fs.FileMode
	mu   sync.Mutex // serialises this adapter's writes to the file
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithFileMode sets the permissions of a policy file the adapter creates
// (default 0644). An existing file keeps its own permissions.
func WithFileMode(mode fs.FileMode) Option {
	return func(a *Adapter) { a.mode = mode }
}

// New returns an adapter for the policy file at path. The file is not
// opened until the first call.
func New(path string, opts ...Option) *Adapter {
	a := &Adapter{path: path, mode: 0o644}
	for _, o := range opts {
		o(a)
	}
	return a
}

var (
	_ persist.Adapter        = (*Adapter)(nil)
	_ persist.BatchAdapter   = (*Adapter)(nil)
	_ persist.ContextAdapter = (*Adapter)(nil)
)

// Path returns the policy file's path.
func (a *Adapter) Path() string { return a.path }

// LoadPolicy adds every rule of the file to m. The file is parsed and
// checked against m first; on any error nothing is added.
func (a *Adapter) LoadPolicy(m model.Model) error {
	lines, err := a.read()
	if err != nil {
		return err
	}
	if err := Check(a.path, lines, m); err != nil {
		return err
	}
	for _, l := range lines {
		// Check has ruled out every error LoadPolicyArray can return; it
		// also skips duplicate rules as Casbin's own adapters do.
		if err := persist.LoadPolicyArray(append([]string{l.PType}, l.Values...), m); err != nil {
			return fmt.Errorf("%s:%d: %w", a.path, l.Num, err)
		}
	}
	return nil
}

func (a *Adapter) read() ([]Line, error) {
	// Serialise with this adapter's own writes: POSIX does not promise that
	// a reader never sees part of an append.
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.Open(a.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(a.path, f)
}

// SavePolicy replaces the file with every rule of m, p types first.
func (a *Adapter) SavePolicy(m model.Model) error {
	var lines []Line
	for _, ptype := range PTypes(m) {
		for _, rule := range m[ptype[:1]][ptype].Policy {
			lines = append(lines, Line{PType: ptype, Values: rule})
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, lines); err != nil {
		return a.valueError(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.writeAtomic(buf.Bytes())
}

// AddPolicy appends one rule to the file.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	return a.AddPolicies(sec, ptype, [][]string{rule})
}

// AddPolicies appends rules to the file in one write.
func (a *Adapter) AddPolicies(_ string, ptype string, rules [][]string) error {
	var buf bytes.Buffer
	for _, r := range rules {
		if err := writeLine(&buf, ptype, r); err != nil {
			return a.valueError(err)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.OpenFile(a.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, a.mode)
	if err != nil {
		return err
	}
	data := buf.Bytes()
	// A last line without a newline would otherwise swallow the new rule.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			data = append([]byte{'\n'}, data...)
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RemovePolicy removes every line holding the rule.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.RemovePolicies(sec, ptype, [][]string{rule})
}

// RemovePolicies removes every line holding one of the rules.
func (a *Adapter) RemovePolicies(_ string, ptype string, rules [][]string) error {
	return a.rewrite(func(l Line) bool {
		if l.PType != ptype {
			return false
		}
		for _, r := range rules {
			if slices.Equal(l.Values, r) {
				return true
			}
		}
		return false
	})
}

// RemoveFilteredPolicy removes the rules of ptype whose values, from
// fieldIndex on, equal fieldValues; an empty filter value matches anything,
// as in Casbin.
func (a *Adapter) RemoveFilteredPolicy(_ string, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.rewrite(func(l Line) bool {
		if l.PType != ptype || fieldIndex < 0 {
			return false
		}
		for j, v := range fieldValues {
			if v == "" {
				continue
			}
			i := fieldIndex + j
			if i >= len(l.Values) || l.Values[i] != v {
				return false
			}
		}
		return true
	})
}

// rewrite drops the rule lines for which drop is true and keeps every other
// line, comments included, as it was. A file that does not parse is left
// untouched.
func (a *Adapter) rewrite(drop func(Line) bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	data, err := os.ReadFile(a.path)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	br := bufio.NewReader(bytes.NewReader(data))
	for num := 1; ; num++ {
		raw, rerr := readLine(br)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return &ParseError{File: a.path, Line: num, Err: ErrLineTooLong, Detail: fmt.Sprintf("longer than %d bytes", MaxLineBytes)}
		}
		if raw == nil {
			break
		}
		text := raw
		if num == 1 {
			text = bytes.TrimPrefix(raw, bom)
		}
		l, perr := parseLine(a.path, num, text)
		if perr != nil {
			return perr
		}
		if l == nil || !drop(*l) {
			out.Write(raw)
			out.WriteByte('\n')
		}
		if rerr != nil {
			break
		}
	}
	return a.writeAtomic(out.Bytes())
}

// writeAtomic replaces the file through a temporary file in the same
// directory and a rename, so readers (and the file watcher) never see a
// half-written policy.
func (a *Adapter) writeAtomic(data []byte) (err error) {
	mode := a.mode
	if st, err := os.Stat(a.path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(a.path), "."+filepath.Base(a.path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), a.path)
}

func (a *Adapter) valueError(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) && pe.File == "" {
		pe.File = a.path
	}
	return err
}

// LoadPolicyCtx is LoadPolicy, refused once ctx is done.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.LoadPolicy(m)
}

// SavePolicyCtx is SavePolicy, refused once ctx is done.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.SavePolicy(m)
}

// AddPolicyCtx is AddPolicy, refused once ctx is done.
func (a *Adapter) AddPolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.AddPolicy(sec, ptype, rule)
}

// RemovePolicyCtx is RemovePolicy, refused once ctx is done.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.RemovePolicy(sec, ptype, rule)
}

// RemoveFilteredPolicyCtx is RemoveFilteredPolicy, refused once ctx is done.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, sec, ptype string, fieldIndex int, fieldValues ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.RemoveFilteredPolicy(sec, ptype, fieldIndex, fieldValues...)
}

// Line returns the 1-based number of the first line of the file that holds
// the rule ptype, values, or 0 when there is none (or the file cannot be
// read). It lets a caller that checks loaded rules report FILE:LINE.
func (a *Adapter) Line(ptype string, values []string) int {
	lines, err := a.read()
	if err != nil {
		return 0
	}
	for _, l := range lines {
		if l.PType == ptype && slices.Equal(l.Values, values) {
			return l.Num
		}
	}
	return 0
}
