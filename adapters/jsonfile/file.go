package jsonfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync/atomic"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/permission"
)

// ErrNotLoaded is returned by a File that was not made by Open.
var ErrNotLoaded = warden.NewError(warden.ErrUnavailable, "jsonfile: no policy loaded (use Open)")

// errNotImplemented is Casbin's convention for "this adapter does not save":
// the enforcer then keeps the change in memory only.
var errNotImplemented = errors.New("not implemented")

// File is a policy file on disk and its last good content. It is safe for
// concurrent use.
type File struct {
	path string
	cur  atomic.Pointer[Policy]
}

var _ persist.Adapter = (*File)(nil)

// Open reads and parses the file at path. It fails if the file cannot be
// read or is not valid: there is no last good policy yet to fall back on.
func Open(path string) (*File, error) {
	f := &File{path: path}
	if err := f.Reload(context.Background()); err != nil {
		return nil, err
	}
	return f, nil
}

// Path returns the file's path.
func (f *File) Path() string { return f.path }

// Policy returns the last good content. Callers must not modify it.
func (f *File) Policy() *Policy { return f.cur.Load() }

// Reload reads the file again. On any error the last good content stays in
// force and the error (a *ParseError for bad content) is returned.
func (f *File) Reload(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := f.read()
	if err != nil {
		return err
	}
	f.cur.Store(p)
	return nil
}

func (f *File) read() (*Policy, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return nil, fmt.Errorf("jsonfile: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jsonfile: read %s: %w", f.path, err)
	}
	return Parse(f.path, data)
}

// Groups returns the user's roles. It is a groups provider through
// warden.ProviderFunc(f.Groups).
func (f *File) Groups(_ context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	p := f.cur.Load()
	if p == nil {
		return nil, ErrNotLoaded
	}
	return append([]string{}, p.UserRoles[id]...), nil
}

// Permissions returns the user's own permissions followed by those of their
// roles, without repeats.
func (f *File) Permissions(_ context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	p := f.cur.Load()
	if p == nil {
		return nil, ErrNotLoaded
	}
	out := append([]string{}, p.Users[id]...)
	for _, r := range p.UserRoles[id] {
		out = append(out, p.Roles[r]...)
	}
	return adapters.Dedup(out), nil
}

// Rules returns the content as rules of the permissions model: g rules
// first, then the users' p rules, then the roles', each sorted by name so
// that the result does not depend on map order.
func (p *Policy) Rules() ([]enforcer.Rule, error) {
	var out []enforcer.Rule
	for _, u := range sortedKeys(p.UserRoles) {
		for _, r := range p.UserRoles[u] {
			out = append(out, enforcer.G(u, r))
		}
	}
	for _, m := range []map[string][]string{p.Users, p.Roles} {
		for _, sub := range sortedKeys(m) {
			rs, err := permission.Rules(sub, m[sub])
			if err != nil {
				return nil, fmt.Errorf("jsonfile: %s: %w", sub, err)
			}
			out = append(out, rs...)
		}
	}
	return out, nil
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LoadPolicy implements persist.Adapter. It reads the file again (so an
// enforcer's Reload sees the current file), and on success also makes it
// the content the provider methods serve. On error nothing is added to m.
func (f *File) LoadPolicy(m model.Model) error {
	p, err := f.read()
	if err != nil {
		return err
	}
	rules, err := p.Rules()
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), m); err != nil {
			return fmt.Errorf("jsonfile: %s: load %s: %w", f.path, r, err)
		}
	}
	f.cur.Store(p)
	return nil
}

// SavePolicy is not supported: the file is edited by people, and rewriting
// it would lose their layout. It returns "not implemented".
func (f *File) SavePolicy(model.Model) error { return errNotImplemented }

// AddPolicy returns "not implemented"; see SavePolicy.
func (f *File) AddPolicy(string, string, []string) error { return errNotImplemented }

// RemovePolicy returns "not implemented"; see SavePolicy.
func (f *File) RemovePolicy(string, string, []string) error { return errNotImplemented }

// RemoveFilteredPolicy returns "not implemented"; see SavePolicy.
func (f *File) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errNotImplemented
}
