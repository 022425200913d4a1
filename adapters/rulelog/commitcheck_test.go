package rulelog_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestWriteChangesChecked: the check reads the policy as the write commits
// it (its own rule included) and runs before the context's TxFunc; its
// error rolls the write back, the TxFunc unrun.
func TestWriteChangesChecked(t *testing.T) {
	ctx := context.Background()
	errNo := errors.New("no")
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := newStore(t, b.Open(t).DB)
			var order []string
			txf := rulelog.WithTxFunc(ctx, func(context.Context, *gorm.DB, rulelog.Write) error {
				order = append(order, "txfunc")
				return nil
			})
			check := func(refuse bool) enforcer.CommitCheck {
				return func(ctx context.Context, load func(context.Context, model.Model, ...string) error) error {
					order = append(order, "check")
					m := rbacModel(t)
					if err := load(ctx, m); err != nil {
						return err
					}
					if !slices.ContainsFunc(m["g"]["g"].Policy, func(v []string) bool { return slices.Equal(v, []string{"alice", "admin"}) }) {
						t.Errorf("the check did not see the write's own rule: %v", m["g"]["g"].Policy)
					}
					if refuse {
						return errNo
					}
					return nil
				}
			}
			add := enforcer.ChangeSet{Op: enforcer.OpAdd, Rules: []enforcer.Rule{enforcer.G("alice", "admin")}}
			if _, err := s.WriteChangesChecked(txf, add, check(true)); !errors.Is(err, errNo) {
				t.Fatalf("refused by the check: %v", err)
			}
			if !slices.Equal(order, []string{"check"}) {
				t.Fatalf("ran %v, want the check alone", order)
			}
			if head, err := s.Head(ctx); err != nil || head != 0 {
				t.Fatalf("head after the refusal: %d, %v", head, err)
			}
			order = nil
			w, err := s.WriteChangesChecked(txf, add, check(false))
			if err != nil || w.Revision != 1 || len(w.Changed) != 1 {
				t.Fatalf("accepted by the check: %+v, %v", w, err)
			}
			if !slices.Equal(order, []string{"check", "txfunc"}) {
				t.Fatalf("ran %v, want the check then the TxFunc", order)
			}
		})
	}
}
