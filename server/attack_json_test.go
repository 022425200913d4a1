package server_test

import (
	"strings"
	"testing"

	"github.com/wardenhq/warden/server"
)

// TestAttackJSONBody is the attack suite of the JSON-body edge: every
// endpoint decodes its body with one decoder, which must read it exactly
// as written or refuse it naming the field. Add a case in one line.
func TestAttackJSONBody(t *testing.T) {
	deep := strings.Repeat("[", server.MaxJSONDepth+1) + strings.Repeat("]", server.MaxJSONDepth+1)
	runAttacks(t, []attack{
		{"control: a plain grant", "POST", "/v1/groups", `{"member":"dave","role":"viewer"}`, 200, ""},
		{"case-folded key", "POST", "/v1/rules", `{"ptype":"p","Values":["mallory","/*","*","allow"]}`, 400, "Values"},
		{"case-folded ptype", "DELETE", "/v1/rules", `{"PType":"p","values":["bob","/posts/:id/comments","*","deny"]}`, 400, "PType"},
		{"case-folded key in a list", "POST", "/v1/rules", `{"rules":[{"ptype":"p","VALUES":["mallory","/*","*","allow"]}]}`, 400, "rules[0].VALUES"},
		{"case-folded group key", "POST", "/v1/groups", `{"Member":"mallory","role":"admin"}`, 400, "Member"},
		{"duplicate key, last would win", "POST", "/v1/rules", `{"ptype":"p","values":["bob","/x","GET","deny"],"values":["mallory","/*","*","allow"]}`, 400, "values"},
		{"duplicate group member", "POST", "/v1/groups", `{"member":"carol","member":"mallory","role":"admin"}`, 400, "member"},
		{"duplicate key in a list", "DELETE", "/v1/rules", `{"rules":[{"ptype":"g","ptype":"p","values":["bob","/posts/:id/comments","*","deny"]}]}`, 400, "rules[0].ptype"},
		{"duplicate check field", "POST", "/v1/check", `{"sub":"carol","obj":"/posts/1","act":"GET","act":"DELETE"}`, 400, "act"},
		{"duplicate check field in a list", "POST", "/v1/check", `[{"sub":"carol","sub":"alice","obj":"/posts/1","act":"GET"}]`, 400, "[0].sub"},
		{"duplicate key in a nested object", "POST", "/v1/check", `{"sub":"carol","obj":{"a":1,"a":2},"act":"GET"}`, 400, "obj.a"},
		{"invalid UTF-8 in a value", "POST", "/v1/groups", "{\"member\":\"mallory\xff\",\"role\":\"admin\"}", 400, "member"},
		{"invalid UTF-8 in a check value", "POST", "/v1/check", "{\"sub\":\"carol\",\"obj\":\"/posts/\xc3\",\"act\":\"GET\"}", 400, "obj"},
		{"invalid UTF-8 in a key", "POST", "/v1/groups", "{\"member\":\"dave\",\"role\":\"viewer\",\"\xfe\":1}", 400, "\ufffd"},
		{"unpaired high surrogate escape", "POST", "/v1/rules", `{"ptype":"p","values":["mallory\ud800","/*","*","allow"]}`, 400, "values[0]"},
		{"unpaired low surrogate escape", "POST", "/v1/groups", `{"member":"\udc00","role":"admin"}`, 400, "member"},
		{"high surrogate before a non-surrogate", "POST", "/v1/groups", `{"member":"\ud800\u0041","role":"admin"}`, 400, "member"},
		{"nesting beyond the bound", "POST", "/v1/check", deep, 400, strings.Repeat("[0]", server.MaxJSONDepth)},
		{"unknown field", "POST", "/v1/groups", `{"member":"dave","role":"viewer","scope":"admin"}`, 400, "scope"},
		{"trailing value", "POST", "/v1/groups", `{"member":"dave","role":"viewer"} {"member":"mallory","role":"admin"}`, 400, ""},
		{"rules and a single rule", "POST", "/v1/rules", `{` + rule + `,"rules":[]}`, 400, "rules"},
		{"newline in a check value (keyMatch2 * stops at it)", "POST", "/v1/check", `{"sub":"carol","obj":"/posts/1\n","act":"GET"}`, 400, "obj"},
		{"escaped control character in a check", "POST", "/v1/check", `{"sub":"carol","obj":"/posts/1","act":"GET\u0000"}`, 400, "act"},
		{"control character in a check attribute", "POST", "/v1/check", `{"sub":"carol","obj":{"Owner":"carol\u000a"},"act":"GET"}`, 400, "obj"},
		{"control character in a plan request", "POST", "/v1/plan", `{"request":{"sub":"carol","obj":"?","act":"GET\r"},"dialect":"sqlite","columns":{"obj":"path"}}`, 400, "request.act"},
		{"body over the limit", "POST", "/v1/groups", `{"member":"` + strings.Repeat("a", server.DefaultMaxBodyBytes) + `","role":"viewer"}`, 413, ""},
	})
}
