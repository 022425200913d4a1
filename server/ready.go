package server

import (
	"context"

	"gorm.io/gorm"
)

// DBCheck is a readiness check that pings db.
func DBCheck(name string, db *gorm.DB) Check {
	return Check{Name: name, Check: func(ctx context.Context) error {
		sqlDB, err := db.DB()
		if err != nil {
			return err
		}
		return sqlDB.PingContext(ctx)
	}}
}
