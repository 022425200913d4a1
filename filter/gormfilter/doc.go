// Package gormfilter applies a filter.Plan to a GORM query as a scope:
//
//	plan, err := e.Plan(ctx, enforcer.NewRequest(user, enforcer.Unknown{}, "read"))
//	…
//	db.Scopes(gormfilter.Scope(plan, sqlfilter.Columns{"obj": "path"})).
//		Order("id").Limit(50).Offset(100).Find(&posts)
//
// The scope composes with Order, Limit, Offset and other scopes; the
// dialect is GORM's. A plan the dialect cannot express makes the query
// fail (db.Error), never return more rows.
package gormfilter
