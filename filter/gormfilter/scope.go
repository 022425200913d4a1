package gormfilter

import (
	"gorm.io/gorm"

	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// Scope returns a GORM scope that keeps only the rows p allows; cols maps
// the plan's fields to the table's columns. An error (an unknown dialect,
// a condition the dialect cannot express) is added to the query, which
// then fails.
func Scope(p filter.Plan, cols sqlfilter.Columns) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		d, err := sqlfilter.ParseDialect(db.Dialector.Name())
		if err != nil {
			_ = db.AddError(err)
			return db
		}
		w, err := sqlfilter.Translate(p, d, cols, sqlfilter.WithQuestionMarks())
		if err != nil {
			_ = db.AddError(err)
			return db
		}
		return db.Where(w.SQL, w.Args...)
	}
}
