package models

import (
	"embed"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/casbin/casbin/v2/model"
)

// Names of the embedded models.
const (
	// RBAC is users, groups and role inheritance with exact objects and actions.
	RBAC = "rbac"
	// RBACDeny is RBAC with an eft column where a matching deny wins.
	RBACDeny = "rbac_deny"
	// RBACDomains is RBAC whose roles are held per domain (tenant).
	RBACDomains = "rbac_domains"
	// RESTful is RBAC with keyMatch2 paths and regexMatch methods.
	RESTful = "restful"
	// ABAC decides on attributes of the subject and object.
	ABAC = "abac"
	// Permissions matches permission strings such as "read:*" with deny-override.
	Permissions = "permissions"
)

// ErrUnknownModel is returned for a name that is not an embedded model.
var ErrUnknownModel = errors.New("models: unknown model")

//go:embed *.conf
var files embed.FS

// Names returns the names of all embedded models, sorted.
func Names() []string {
	// Reading the root of an embed.FS cannot fail.
	entries, _ := files.ReadDir(".")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".conf"))
	}
	sort.Strings(names)
	return names
}

// Text returns the source of the named model, comments included.
func Text(name string) (string, error) {
	// Reject path-like names so a caller cannot reach other embedded files.
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return "", fmt.Errorf("%w: %q", ErrUnknownModel, name)
	}
	b, err := files.ReadFile(name + ".conf")
	if err != nil {
		return "", fmt.Errorf("%w: %q (known: %s)", ErrUnknownModel, name, strings.Join(Names(), ", "))
	}
	return string(b), nil
}

// Load parses the named model into a fresh Casbin model; each call returns a
// new value, so callers may add policy to it freely.
func Load(name string) (model.Model, error) {
	text, err := Text(name)
	if err != nil {
		return nil, err
	}
	m, err := model.NewModelFromString(text)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", name, err)
	}
	return m, nil
}
