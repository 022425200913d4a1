package server

import (
	"bytes"
	"net/http"

	"github.com/wardenhq/warden/adapters/csvfile"
	"github.com/wardenhq/warden/policyadmin"
)

// handleExport writes the policy of the scope as a policy.csv file that
// `warden serve` can seed from and `warden lint` can read.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	scope, err := scopeOf(r)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	e, _ := s.enforcerFor(scope)
	rules := policyadmin.AllRules(e)
	lines := make([]csvfile.Line, len(rules))
	for i, rl := range rules {
		lines[i] = csvfile.Line{PType: rl.PType, Values: rl.Values}
	}
	// Rendered in full first: a value that cannot be written must not
	// leave a truncated file behind a 200.
	var buf bytes.Buffer
	if err := csvfile.Write(&buf, lines); err != nil {
		s.logger.ErrorContext(r.Context(), "server: export failed", "error", err)
		writeError(w, r, http.StatusInternalServerError, "internal", "", "the policy could not be exported")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="policy.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
