package rulelog

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/enforcer"
)

// ruleRow is a row of the casbin_rule layout.
type ruleRow struct {
	ID                     uint64
	PType                  string `gorm:"column:ptype"`
	V0, V1, V2, V3, V4, V5 string
}

// LoadPolicy implements persist.Adapter.
func (s *Store) LoadPolicy(m model.Model) error { return s.LoadPolicyCtx(context.Background(), m) }

// LoadPolicyCtx loads every rule row into m in id order. A row is read as
// exactly as many values as the model defines for its ptype, so a last value
// that is the empty string survives (gorm-adapter drops it); a row with a
// ptype the model does not define, or with values past its definition,
// fails the load with an error naming the row, and the enforcer keeps its
// policy.
func (s *Store) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	ctx, cancel := context.WithTimeout(ctx, s.loadTimeout)
	defer cancel()
	return s.loadRows(s.db.WithContext(ctx), "", m)
}

// loadRows is LoadPolicyCtx on db, a pool or a transaction; lock ends the
// SELECT (a locking read, or nothing). With ptypes, it reads the rules of
// those ptypes alone (on the table's unique index, which leads with
// ptype).
func (s *Store) loadRows(db *gorm.DB, lock string, m model.Model, ptypes ...string) error {
	q, args := "SELECT id, ptype, v0, v1, v2, v3, v4, v5 FROM "+s.q.rules+" ORDER BY id"+lock, []any(nil)
	if len(ptypes) > 0 {
		q, args = "SELECT id, ptype, v0, v1, v2, v3, v4, v5 FROM "+s.q.rules+" WHERE ptype IN ? ORDER BY id"+lock, []any{ptypes}
	}
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return fmt.Errorf("rulelog: load %s: %w", s.table, err)
	}
	defer rows.Close()
	var (
		r   ruleRow
		all = make([]string, maxValues)
	)
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.PType, &all[0], &all[1], &all[2], &all[3], &all[4], &all[5]); err != nil {
			return fmt.Errorf("rulelog: load %s: %w", s.table, err)
		}
		sec := "p"
		if len(r.PType) > 0 && r.PType[0] == 'g' {
			sec = "g"
		}
		a, ok := m[sec][r.PType]
		if !ok {
			return fmt.Errorf("rulelog: %s row id=%d: ptype %q is not defined in the model", s.table, r.ID, r.PType)
		}
		// A conditional role definition (g = _, _, (_, _)) has a value
		// per parameter too, past its tokens, as it is written.
		n := len(a.Tokens) + len(a.ParamsTokens)
		if n > maxValues {
			return fmt.Errorf("rulelog: the model's %s has %d fields, the table holds %d", r.PType, n, maxValues)
		}
		for i := n; i < maxValues; i++ {
			if all[i] != "" {
				return fmt.Errorf("rulelog: %s row id=%d: v%d is set but %s has %d fields", s.table, r.ID, i, r.PType, n)
			}
		}
		if err := persist.LoadPolicyArray(append([]string{r.PType}, all[:n]...), m); err != nil {
			return fmt.Errorf("rulelog: %s row id=%d: %w", s.table, r.ID, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rulelog: load %s: %w", s.table, err)
	}
	return nil
}

// headRow is the head table's one row.
type headRow struct {
	Revision, Pruned uint64
}

// Head implements enforcer.ChangeLog.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	h, err := s.head(ctx)
	return h.Revision, err
}

func (s *Store) head(ctx context.Context) (headRow, error) {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	var h headRow
	err := s.db.WithContext(ctx).Raw("SELECT revision, pruned FROM "+s.q.head+" WHERE id = 1").Row().Scan(&h.Revision, &h.Pruned)
	if err != nil {
		return headRow{}, fmt.Errorf("rulelog: read the head of %s: %w", s.table, err)
	}
	return h, nil
}

// Epoch implements enforcer.Epochs: the random name the head row got when
// the tables were created. Dropping and creating them again (a reset,
// revisions restarting at 1) gives a new one.
func (s *Store) Epoch(ctx context.Context) (string, error) {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	var epoch string
	if err := s.db.WithContext(ctx).Raw("SELECT epoch FROM " + s.q.head + " WHERE id = 1").Row().Scan(&epoch); err != nil {
		return "", fmt.Errorf("rulelog: read the epoch of %s: %w", s.table, err)
	}
	return epoch, nil
}

// Since implements enforcer.ChangeLog: the log rows of revisions after+1
// to after+limit, in order, up to the head. It reads the rows, then the
// head: pruning only ever raises the pruned mark, so a mark at or below
// after, read after the rows, proves that none of them was missing; and
// every committed row is at or below the head read after it.
func (s *Store) Since(ctx context.Context, after uint64, limit int) ([]enforcer.LogEntry, error) {
	if limit <= 0 {
		limit = 1
	}
	rctx, cancel := s.bounded(ctx)
	defer cancel()
	var rows []logRow
	err := s.db.WithContext(rctx).Table(s.table+"_log").Select("revision, seq, op, ptype, vals").
		Where("revision > ? AND revision <= ?", after, after+uint64(limit)).Order("revision, seq").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("rulelog: read the change log of %s: %w", s.table, err)
	}
	h, err := s.head(ctx)
	if err != nil {
		return nil, err
	}
	// A row above the head, read after the rows, was committed by no
	// writer (a writer raises the head in the row's own transaction): it
	// was written by hand, and taking it would mark its revision applied
	// before the real change under it commits. It is not read until the
	// head reaches it.
	for i, r := range rows {
		if r.Revision > h.Revision {
			rows = rows[:i]
			break
		}
	}
	switch {
	case after < h.Pruned:
		return nil, fmt.Errorf("%w: revisions up to %d were pruned, %d was applied", enforcer.ErrLogGap, h.Pruned, after)
	case len(rows) == 0 && after > h.Revision:
		return nil, fmt.Errorf("%w: the store is at revision %d, %d was applied", enforcer.ErrLogGap, h.Revision, after)
	}
	out := make([]enforcer.LogEntry, len(rows))
	for i, r := range rows {
		var vals []string
		if err := json.Unmarshal([]byte(r.Vals), &vals); err != nil {
			// A row nobody can apply: the reader reloads from the rule
			// table rather than stopping here for good.
			return nil, fmt.Errorf("%w: %s_log revision %d row %d: values: %w", enforcer.ErrLogGap, s.table, r.Revision, r.Seq, err)
		}
		out[i] = enforcer.LogEntry{Revision: r.Revision, Op: enforcer.Op(r.Op), Rule: enforcer.Rule{PType: r.PType, Values: vals}}
	}
	return out, nil
}
