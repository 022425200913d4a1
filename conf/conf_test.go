package conf_test

import (
	"testing"

	"github.com/casbin/casbin/v2"
)

// TestDefaultPolicy checks the decisions the comments in policy.csv promise.
func TestDefaultPolicy(t *testing.T) {
	e, err := casbin.NewEnforcer("model.conf", "policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sub, obj, act string
		want          bool
	}{
		{"carol", "/posts", "GET", true},              // viewer
		{"carol", "/posts/42", "GET", true},           // :id pattern
		{"carol", "/posts/42", "PUT", false},          // viewers do not write
		{"bob", "/posts/42", "PUT", true},             // editor
		{"bob", "/posts/42", "GET", true},             // editor > viewer
		{"bob", "/posts/42/comments", "GET", false},   // bob's own deny beats viewer's allow
		{"bob", "/posts/42/comments", "POST", false},  // ... for every action
		{"alice", "/posts/42/comments", "POST", true}, // admin > editor
		{"alice", "/users/7", "PATCH", true},          // admin's /* and *
		{"alice", "/audit/2026", "GET", true},         // admin's /* and *
		{"alice", "/audit/2026", "DELETE", false},     // deny wins over admin's *
		{"mallory", "/posts", "GET", false},           // unknown subject
		{"viewer", "/posts/1/2", "GET", false},        // :id is one segment
	}
	for _, tt := range tests {
		got, err := e.Enforce(tt.sub, tt.obj, tt.act)
		if err != nil {
			t.Fatalf("%s %s %s: %v", tt.sub, tt.obj, tt.act, err)
		}
		if got != tt.want {
			t.Errorf("%s %s %s = %v, want %v", tt.sub, tt.obj, tt.act, got, tt.want)
		}
	}
}
