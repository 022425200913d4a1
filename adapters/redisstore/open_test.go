package redisstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/redisstore"
)

// Open makes its own client on an address and owns it: Ping answers until
// Close, and Close closes it.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	_, rdb, prefix := newStore(t) // skips without WARDEN_TEST_REDIS_ADDR; cleans prefix up
	st, err := redisstore.Open(rdb.Options().Addr, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	must(t, st.Add(ctx, redisstore.UserGroups, "alice", "editors"))
	if got, err := st.Groups(ctx, &warden.Token{Identity: "alice"}); err != nil || len(got) != 1 || got[0] != "editors" {
		t.Fatalf("Groups = %v, %v", got, err)
	}
	must(t, st.Close())
	if err := st.Ping(ctx); err == nil {
		t.Fatal("Ping after Close succeeded: Close did not close the client Open made")
	}
	if _, err := redisstore.Open(""); !errors.Is(err, redisstore.ErrInvalid) || !errors.Is(err, warden.ErrInvalid) {
		t.Fatalf("Open(\"\") = %v; want ErrInvalid", err)
	}
}

// A Store made by New does not own its client: Close leaves it open.
func TestCloseLeavesAGivenClient(t *testing.T) {
	st, _, _ := newStore(t)
	must(t, st.Close())
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after Close of a store on a given client: %v", err)
	}
}
