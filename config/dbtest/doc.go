// Package dbtest gives tests a fresh, isolated database on every backend
// Warden supports: SQLite always, PostgreSQL when WARDEN_TEST_POSTGRES_DSN is
// set and MySQL/MariaDB when WARDEN_TEST_MYSQL_DSN is set. Each call makes
// its own SQLite file, PostgreSQL schema or MySQL database and drops it when
// the test ends, so that packages whose tests run at once never collide.
package dbtest
