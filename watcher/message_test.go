package watcher_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/watcher"
)

func TestDecodeValid(t *testing.T) {
	sent := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name    string
		payload string
		want    watcher.Message
	}{
		{"reload", `{"instance":"a","op":"reload","sent_at":"2026-01-02T03:04:05.000006Z"}`,
			watcher.Message{Instance: "a", Op: watcher.OpReload, SentAt: sent}},
		{"save", `{"instance":"a","op":"save","sent_at":"2026-01-02T03:04:05.000006Z"}`,
			watcher.Message{Instance: "a", Op: watcher.OpSave, SentAt: sent}},
		{"add", `{"instance":"a","op":"add","sec":"p","ptype":"p","rules":[["alice","data1","read"]],"sent_at":"2026-01-02T03:04:05.000006Z"}`,
			watcher.Message{Instance: "a", Op: watcher.OpAdd, Sec: "p", PType: "p", Rules: [][]string{{"alice", "data1", "read"}}, SentAt: sent}},
		{"remove_filtered index 0", `{"instance":"a","op":"remove_filtered","sec":"g","ptype":"g","field_values":["alice"],"sent_at":"2026-01-02T03:04:05.000006Z"}`,
			watcher.Message{Instance: "a", Op: watcher.OpRemoveFiltered, Sec: "g", PType: "g", FieldValues: []string{"alice"}, SentAt: sent}},
		{"update", `{"instance":"a","op":"update","ptype":"p","rules":[["x"]],"new_rules":[["y"]],"sent_at":"2026-01-02T03:04:05.000006Z"}`,
			watcher.Message{Instance: "a", Op: watcher.OpUpdate, PType: "p", Rules: [][]string{{"x"}}, NewRules: [][]string{{"y"}}, SentAt: sent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := watcher.Decode(tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Decode = %+v; want %+v", got, tt.want)
			}
			// Round trip: what a watcher encodes, Decode reads back unchanged.
			enc, err := got.Encode()
			if err != nil {
				t.Fatal(err)
			}
			again, err := watcher.Decode(enc)
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("round trip = %+v, %v; want %+v", again, err, got)
			}
		})
	}
}

// A field a newer instance adds does not make older ones reject the message.
func TestDecodeIgnoresUnknownFields(t *testing.T) {
	m, err := watcher.Decode(`{"instance":"a","op":"reload","priority":7}`)
	if err != nil || m.Op != watcher.OpReload {
		t.Fatalf("Decode = %+v, %v; want the reload", m, err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name, payload, field string
	}{
		{"not JSON", `reload`, "invalid character"},
		{"wrong type", `{"instance":"a","op":"add","rules":"alice"}`, "rules"},
		{"no instance", `{"op":"reload"}`, `"instance"`},
		{"unknown op", `{"instance":"a","op":"explode"}`, `"op"`},
		{"add without ptype", `{"instance":"a","op":"add","rules":[["x"]]}`, `"ptype"`},
		{"add without rules", `{"instance":"a","op":"add","ptype":"p"}`, `"rules"`},
		{"update length mismatch", `{"instance":"a","op":"update","ptype":"p","rules":[["x"]]}`, `"new_rules"`},
		{"negative field index", `{"instance":"a","op":"remove_filtered","ptype":"p","field_index":-1}`, `"field_index"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := watcher.Decode(tt.payload)
			if !errors.Is(err, watcher.ErrMalformed) {
				t.Fatalf("err = %v; want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("err = %q; want it to name %s", err, tt.field)
			}
		})
	}
}

func TestEncodeRejectsInvalid(t *testing.T) {
	if _, err := (watcher.Message{Op: watcher.OpReload}).Encode(); !errors.Is(err, watcher.ErrMalformed) {
		t.Fatalf("Encode without instance: err = %v; want ErrMalformed", err)
	}
}

func TestFullReload(t *testing.T) {
	for op, want := range map[watcher.Op]bool{
		watcher.OpReload: true, watcher.OpSave: true,
		watcher.OpAdd: false, watcher.OpRemove: false, watcher.OpRemoveFiltered: false, watcher.OpUpdate: false,
	} {
		if got := (watcher.Message{Op: op}).FullReload(); got != want {
			t.Errorf("FullReload for %q = %v; want %v", op, got, want)
		}
	}
}

func TestEventKindString(t *testing.T) {
	if got := watcher.EventReconnected.String(); got != "reconnected" {
		t.Errorf("EventReconnected = %q", got)
	}
	if got := watcher.EventKind(200).String(); got != "EventKind(200)" {
		t.Errorf("unknown kind = %q", got)
	}
}
