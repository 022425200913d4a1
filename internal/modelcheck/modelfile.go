package modelcheck

import (
	"bytes"
	"strings"
)

// modelFile is a model source read the way Casbin's config parser reads it,
// keeping the line each key and each piece of a continued value came from.
type modelFile struct {
	probs    *Problems
	sections []section
}

type section struct {
	name string
	line int
	keys []entry
}

// entry is one KEY = VALUE; a value continued with \ spans several lines.
type entry struct {
	key   string
	line  int
	value string
	parts []part // where each piece of value came from
}

type part struct {
	offset int // byte offset of the piece in value
	line   int
}

// lineAt returns the line that byte offset off of the value came from.
func (e entry) lineAt(off int) (line int) {
	line = e.line
	for _, p := range e.parts {
		if p.offset > off {
			break
		}
		line = p.line
	}
	return line
}

// scanModel follows casbin/config: # and ; start comments (also inside a
// line), [name] opens a section, a trailing \ continues a value, and a
// blank or comment line ends a value.
func scanModel(path string, src []byte) *modelFile {
	mf := &modelFile{probs: &Problems{File: path}}
	cur := &section{name: "", line: 0}
	var pending *entry
	var buf strings.Builder
	flush := func() {
		if pending == nil {
			return
		}
		text := buf.String()
		buf.Reset()
		e := pending
		pending = nil
		k, v, ok := strings.Cut(text, "=")
		if !ok {
			mf.probs.Add(e.line, "line is not KEY = VALUE: %q", strings.TrimSpace(text))
			return
		}
		lead := len(k) + 1 + (len(v) - len(strings.TrimLeft(v, " \t")))
		e.key = strings.TrimSpace(k)
		e.value = strings.TrimSpace(v)
		for i := range e.parts {
			e.parts[i].offset -= lead
		}
		cur.keys = append(cur.keys, *e)
	}
	lines := bytes.Split(src, []byte("\n"))
	for i, raw := range lines {
		num := i + 1
		line := strings.TrimSpace(string(raw))
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
			flush()
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			flush()
			mf.sections = append(mf.sections, *cur)
			cur = &section{name: line[1 : len(line)-1], line: num}
		default:
			if pending == nil {
				pending = &entry{line: num}
			}
			cont := strings.HasSuffix(line, `\`)
			p := line
			if cont {
				p = strings.TrimSpace(line[:len(line)-1]) + " "
			}
			if j := strings.IndexAny(p, "#;"); j >= 0 {
				p = p[:j]
			}
			pending.parts = append(pending.parts, part{offset: buf.Len(), line: num})
			buf.WriteString(p)
			if !cont {
				flush()
			}
		}
	}
	flush()
	mf.sections = append(mf.sections, *cur)
	return mf
}
