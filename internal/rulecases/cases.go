package rulecases

// Case is one rule that every write path refuses.
type Case struct {
	Name  string
	Rule  []string // the ptype, then the values: a policy line
	Index int      // position in the values of the value the error names
	Field string   // that value's name in conf/model.conf
	Want  string   // a part of the reason every path reports
}

// Model is the model the cases are written against, relative to the
// repository's root: keyMatch2 reads p.obj as a pattern.
const Model = "conf/model.conf"

// Values returns the rule's values (without the ptype).
func (c Case) Values() []string { return c.Rule[1:] }

// Cases are the rules every write path must refuse.
var Cases = []Case{
	// Item 11: a pattern its function cannot compile breaks every decision
	// that reaches the rule.
	{"keyMatch2 unclosed group", []string{"p", "viewer", "/posts(", "GET", "allow"}, 1, "obj", "is not a valid keyMatch2 pattern"},
	{"keyMatch2 unclosed class", []string{"p", "viewer", "/posts/[a", "GET", "allow"}, 1, "obj", "is not a valid keyMatch2 pattern"},
	{"keyMatch2 nested repetition", []string{"p", "viewer", "/posts/a**", "GET", "allow"}, 1, "obj", "is not a valid keyMatch2 pattern"},
	{"keyMatch2 bad escape", []string{"p", "viewer", `/posts/\q`, "GET", "allow"}, 1, "obj", "is not a valid keyMatch2 pattern"},
	{"keyMatch2 unclosed group after a parameter segment", []string{"p", "viewer", "/posts/:id/(", "GET", "allow"}, 1, "obj", "is not a valid keyMatch2 pattern"},
	// Item 12: a short pattern that compiles to a large program costs
	// program size × path length per decision.
	{"keyMatch2 repetition blow-up", []string{"p", "viewer", "/a{1000}", "GET", "allow"}, 1, "obj", "regexp instructions, over the limit of 128"},
	{"keyMatch2 nested repetition blow-up", []string{"p", "viewer", "/(a{30}){30}", "GET", "allow"}, 1, "obj", "regexp instructions, over the limit of 128"},
	// Item 15: characters that make the policy read differently from what
	// it does.
	{"right-to-left override in a subject", []string{"p", "vie\u202ewer", "/posts", "GET", "allow"}, 0, "sub", "U+202E"},
	{"left-to-right override in a path", []string{"p", "viewer", "/posts/\u202d1", "GET", "allow"}, 1, "obj", "U+202D"},
	{"right-to-left isolate", []string{"p", "viewer", "/posts", "G\u2067ET", "allow"}, 2, "act", "U+2067"},
	{"left-to-right isolate", []string{"p", "viewer", "/posts\u2066", "GET", "allow"}, 1, "obj", "U+2066"},
	{"first strong isolate", []string{"g", "carol", "\u2068admin"}, 1, "role", "U+2068"},
	{"pop directional isolate", []string{"g", "carol\u2069", "admin"}, 0, "member", "U+2069"},
	{"zero-width space in a member", []string{"g", "car\u200bol", "admin"}, 0, "member", "U+200B"},
	{"zero-width joiner in a role", []string{"g", "carol", "ad\u200dmin"}, 1, "role", "U+200D"},
	{"zero-width non-joiner", []string{"p", "vi\u200cewer", "/posts", "GET", "allow"}, 0, "sub", "U+200C"},
	{"word joiner", []string{"p", "viewer", "/po\u2060sts", "GET", "allow"}, 1, "obj", "U+2060"},
	{"byte order mark inside a value", []string{"p", "viewer", "/posts", "GE\ufeffT", "allow"}, 2, "act", "U+FEFF"},
	{"soft hyphen", []string{"p", "ad\u00admin", "/posts", "GET", "allow"}, 0, "sub", "U+00AD"},
	{"arabic letter mark", []string{"p", "viewer", "/posts\u061c", "GET", "allow"}, 1, "obj", "U+061C"},
	{"line separator", []string{"p", "viewer", "/po\u2028sts", "GET", "allow"}, 1, "obj", "U+2028"},
	{"hangul filler as a whole subject", []string{"p", "\u3164", "/posts", "GET", "allow"}, 0, "sub", "U+3164"},
	{"combining grapheme joiner", []string{"g", "carol", "admi\u034fn"}, 1, "role", "U+034F"},
	{"variation selector", []string{"p", "viewer", "/posts", "GET\ufe0f", "allow"}, 2, "act", "U+FE0F"},
	{"noncharacter", []string{"p", "viewer", "/po\ufdd0sts", "GET", "allow"}, 1, "obj", "U+FDD0"},
	{"no-break space inside a subject", []string{"p", "ad\u00a0min", "/posts", "GET", "allow"}, 0, "sub", "U+00A0"},
	{"hair space inside a path", []string{"p", "viewer", "/po\u200asts", "GET", "allow"}, 1, "obj", "U+200A"},
	{"narrow no-break space in a role", []string{"g", "carol", "ad\u202fmin"}, 1, "role", "U+202F"},
	{"ideographic space in an action", []string{"p", "viewer", "/posts", "G\u3000ET", "allow"}, 2, "act", "U+3000"},
	{"braille pattern blank as a whole member", []string{"g", "\u2800", "admin"}, 0, "member", "U+2800"},
	{"bell control character", []string{"g", "carol", "ad\u0007min"}, 1, "role", "U+0007"},
	{"delete control character", []string{"p", "viewer\u007f", "/posts", "GET", "allow"}, 0, "sub", "U+007F"},
	{"next line control character", []string{"p", "viewer", "/po\u0085sts", "GET", "allow"}, 1, "obj", "U+0085"},
	// Casbin keeps the space before a comma ("p, alice , /x" is subject
	// "alice "): a value with surrounding space is another value than the
	// one it reads as, and a reader that trims decides differently.
	{"trailing space in a subject", []string{"p", "alice ", "/posts", "GET", "allow"}, 0, "sub", "leading or trailing space"},
	{"leading space in a path", []string{"p", "viewer", " /posts", "GET", "allow"}, 1, "obj", "leading or trailing space"},
	{"space around a role", []string{"g", "carol", " admin "}, 1, "role", "leading or trailing space"},
	{"a subject of spaces only", []string{"p", "  ", "/posts", "GET", "allow"}, 0, "sub", "leading or trailing space"},
}
