package config_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config"
)

// TestBestEffortIsRefused is issue 10 item 5: warden serve decides with
// the permissions model, whose deny rules a failed source could hide, so a
// best_effort union is refused by Validate and BuildProviders alike.
func TestBestEffortIsRefused(t *testing.T) {
	for _, which := range []string{"groups", "permissions"} {
		c := config.Defaults()
		c.JWTSecret = strings.Repeat("s", 32)
		p := config.Provider{Sources: []string{"claims", "sql"}, Combine: config.CombineBestEffort}
		if which == "groups" {
			c.Groups = p
		} else {
			c.Permissions = p
		}
		_, berr := config.BuildProviders(context.Background(), c, nil, config.Hooks{}, nil)
		for name, err := range map[string]error{"Validate": c.Validate(), "BuildProviders": berr} {
			if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), which+"-combine: best_effort is refused") ||
				!strings.Contains(err.Error(), "lets a deny rule win") {
				t.Errorf("%s, %s best_effort: %v", name, which, err)
			}
		}
	}
}

// An intersection of groups answers only what every source lists: a group
// that a deny rule names (suspended) and that one source alone lists is
// dropped, and the deny with it, so it is refused where a best_effort
// union is, with more than one source. An intersection of permissions
// keeps every source's deny entries (multi.Intersection) and is taken.
func TestGroupsIntersectionIsRefused(t *testing.T) {
	for _, tc := range []struct {
		which   string
		sources []string
		refused bool
	}{
		{"groups", []string{"claims", "sql"}, true},
		{"groups", []string{"sql"}, false},
		{"permissions", []string{"claims", "sql"}, false},
	} {
		c := config.Defaults()
		c.JWTSecret = strings.Repeat("s", 32)
		p := config.Provider{Sources: tc.sources, Combine: config.CombineIntersection}
		if tc.which == "groups" {
			c.Groups = p
		} else {
			c.Permissions = p
		}
		err := c.Validate()
		if got := errors.Is(err, config.ErrInvalid) && strings.Contains(err.Error(), tc.which+"-combine: intersection is refused"); got != tc.refused {
			t.Errorf("%s intersection of %v: %v, want refused %v", tc.which, tc.sources, err, tc.refused)
		}
	}
}
