package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// serveFiles is what serve reads from files before it touches the
// database.
type serveFiles struct {
	model model.Model
	// seed holds the rules of --seed; seedErr, when the file does not
	// exist, the error to report if the policy turns out to be empty and
	// needs it (a policy already stored needs no seed file).
	seed    []enforcer.Rule
	seedErr error
	// fallback says that the model is the embedded default because
	// conf/model.conf is not in the working directory, not one the
	// operator named: serve refuses it for a database that holds a policy
	// (storedPolicy).
	fallback bool
}

// readServeFiles loads the model (--model: a file or an embedded model's
// name, see loadModel) and the seed file when there is one, so that a model
// or a seed that is not valid fails before any database is opened.
func readServeFiles(ctx context.Context, cfg config.Config, logger *slog.Logger) (serveFiles, error) {
	cm, err := loadModel(cfg.Model)
	if err != nil {
		return serveFiles{}, err
	}
	if cm.note != "" {
		logger.Info("warden: " + cm.note)
	}
	f := serveFiles{model: cm.m, fallback: cm.note != ""}
	if cfg.Seed == "" {
		return f, nil
	}
	if _, err := os.Stat(cfg.Seed); errors.Is(err, fs.ErrNotExist) {
		where := "does not exist"
		if !filepath.IsAbs(cfg.Seed) {
			wd, _ := os.Getwd()
			where = "is not in " + wd
		}
		f.seedErr = fmt.Errorf("seed: %s %s, and the policy is empty: give --seed FILE (the rules written to an empty policy), "+
			`or --seed "" to start with an empty policy`, cfg.Seed, where)
		return f, nil
	}
	if f.seed, err = policyadmin.ReadPolicyFile(ctx, cm.m, cfg.Seed); err != nil {
		return serveFiles{}, fmt.Errorf("seed: %w", err)
	}
	return f, nil
}

// createSQLiteFile creates the file of a SQLite dsn when it does not exist
// yet, and returns its path ("" when it existed, or for a dsn that is not
// a SQLite file path: another database, :memory:, a file: URI). Created
// with O_EXCL, the file is this process's own for certain, so that serve
// may remove it after a failed start; SQLite reads an empty file as an
// empty database. (An instance that opened the file in the meantime would
// go on with an unlinked file: a risk only for instances started at the
// same moment on a new file, one of which fails.)
func createSQLiteFile(dsn string) (string, error) {
	path := sqlitePath(dsn)
	if path == "" {
		return "", nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	switch {
	case errors.Is(err, fs.ErrExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("database file: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("database file: %w", err)
	}
	return path, nil
}

// refuseFallbackModel refuses to serve a policy the database already holds
// under the embedded default model that --model fell back to (no --model,
// and no conf/model.conf in the working directory). The rules were written
// under some model that the database does not record; read under another
// they could load and mean something else (a domain read as an object, a
// deny as nothing), or fail to load. Started from another directory, a
// server that quietly took the binary's model would serve such a policy,
// so the operator says which model: --model FILE, or --model default for
// the embedded one. An empty database is a first start: the fallback
// model is the one its policy will be written under, as before. grant and
// revoke refuse the same: a rule checked against the wrong model would be
// written, and the server could then not load the table.
func refuseFallbackModel(ctx context.Context, db *gorm.DB, table string, fallback bool) error {
	if !fallback || !db.WithContext(ctx).Migrator().HasTable(table) {
		return nil
	}
	var ptypes []string
	if err := db.WithContext(ctx).Table(table).Limit(1).Pluck("ptype", &ptypes).Error; err != nil {
		return fmt.Errorf("policy table %s: %w", table, err)
	}
	if len(ptypes) == 0 {
		return nil
	}
	wd, _ := os.Getwd()
	return fmt.Errorf("the database holds a policy (table %s), and --model fell back to the embedded default model (%s, the default --model, is not in %s): "+
		"the model it was written under is not assumed to be the embedded default; "+
		"give --model FILE, or --model %s to use the embedded default model", table, defaultModelPath, wd, defaultModelName)
}

// warnWithoutAdmin logs a warning when nobody in the admin policy holds
// warden:admin, which is what a first start without --admin leaves: every
// management call is then refused with 403, and without this line nothing
// says why.
func warnWithoutAdmin(ctx context.Context, admin *enforcer.Enforcer, logger *slog.Logger) {
	if hasAdministrator(ctx, admin) {
		return
	}
	logger.Warn("warden: no administrator: every management call (GET/POST/DELETE /v1/rules, POST/DELETE /v1/groups, "+
		"GET /v1/policy.csv, GET /v1/audit) will be refused with 403, unless the caller's token names the group "+
		policyadmin.AdminRole+" or grants the permission "+policyadmin.PermAdmin,
		"fix", "restart with --admin ID (or WARDEN_ADMIN=ID), or run: warden grant --db DSN --scope admin g ID "+policyadmin.AdminRole)
}

// hasAdministrator reports whether a subject of the admin policy that is
// not a role (a g member, or a p subject no g rule names as a role) holds
// warden:admin. A decision that fails counts as not holding it.
func hasAdministrator(ctx context.Context, admin *enforcer.Enforcer) bool {
	roles := map[string]bool{policyadmin.AdminRole: true}
	gs := admin.Rules("g")
	for _, r := range gs {
		roles[r.Values[1]] = true
	}
	var subjects []string
	for _, r := range append(gs, admin.Rules("p")...) {
		if len(r.Values) > 0 && !roles[r.Values[0]] {
			subjects = append(subjects, r.Values[0])
		}
	}
	for _, s := range subjects {
		if d, err := admin.Decide(ctx, enforcer.NewRequest(s, policyadmin.PermAdmin)); err == nil && d.Allowed {
			return true
		}
	}
	return false
}
