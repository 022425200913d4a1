package rulelog

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Prune deletes the log rows that retention no longer keeps (see
// WithRetention) and raises the head's pruned mark to the highest revision
// deleted. Writes call it every 256 revisions; it is safe to call at any
// time from any process. A reader behind the mark reloads in full.
func (s *Store) Prune(ctx context.Context) error {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Hold the head lock: no write commits while the mark moves.
		if err := tx.Exec("UPDATE " + s.q.head + " SET revision = revision WHERE id = 1").Error; err != nil {
			return fmt.Errorf("rulelog: prune: %w", err)
		}
		var h headRow
		if err := tx.Raw("SELECT revision, pruned FROM "+s.q.head+" WHERE id = 1").Row().Scan(&h.Revision, &h.Pruned); err != nil {
			return fmt.Errorf("rulelog: prune: %w", err)
		}
		if h.Revision <= s.keep {
			return nil
		}
		cutoff := s.now().Add(-s.keepAge).UnixMilli()
		var upTo *uint64
		err := tx.Raw("SELECT MAX(revision) FROM "+s.q.log+" WHERE revision <= ? AND created_ms < ?", h.Revision-s.keep, cutoff).
			Row().Scan(&upTo)
		if err != nil {
			return fmt.Errorf("rulelog: prune: %w", err)
		}
		if upTo == nil || *upTo <= h.Pruned {
			return nil
		}
		if err := tx.Exec("DELETE FROM "+s.q.log+" WHERE revision <= ?", *upTo).Error; err != nil {
			return fmt.Errorf("rulelog: prune: %w", err)
		}
		return tx.Exec("UPDATE "+s.q.head+" SET pruned = ? WHERE id = 1", *upTo).Error
	})
}
