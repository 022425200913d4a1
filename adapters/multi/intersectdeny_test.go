package multi_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/multi"
)

// TestIntersectionKeepsEveryDeny: an intersection answers no more than
// any source, so a deny entry ("!posts:delete") one source answers must
// stand. Intersecting the strings dropped it: source 0 said everything but
// deleting posts, source 1 everything, and the combination said everything,
// deletion included: more than source 0 grants.
func TestIntersectionKeepsEveryDeny(t *testing.T) {
	p, err := multi.Wrap([]warden.Provider{static("*", "!posts:delete"), static("*", "!users:*")}, multi.Intersection())
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"*", "!posts:delete", "!users:*"}
	if !slices.Equal(got, want) {
		t.Fatalf("intersection = %q, want %q", got, want)
	}
}
