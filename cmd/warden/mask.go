package main

import (
	"io"
	"net/url"
	"strings"

	"github.com/wardenhq/warden/internal/dburl"
)

// maskDSNs returns w wrapped so that the password of each dsn never
// reaches it, whatever prints it: an error of a driver, of the file system
// or of Warden, a log line of serve or of a driver. The sources mask what
// they know of (sqlstore.OpenDB, pgwatcher); this is the last guard, one
// place for every line a command writes once it knows its DSNs. Commands
// wrap stderr (errors and logs) and serve its stdout too (the startup
// lines), but not the data that list and audit print, which a short
// password would garble. A DSN without a password changes nothing.
func maskDSNs(w io.Writer, dsns ...string) io.Writer {
	var secrets []string
	for _, d := range dsns {
		pass := dburl.Password(d)
		if pass == "" {
			continue
		}
		secrets = append(secrets, pass)
		if dec, err := url.PathUnescape(pass); err == nil && dec != pass && dec != "" {
			secrets = append(secrets, dec)
		}
	}
	if len(secrets) == 0 {
		return w
	}
	return maskWriter{w, secrets}
}

// maskWriter writes what it is given with every secret replaced by
// dburl.Mask. Each Write is masked whole: fmt and slog write a line (a
// record) in one call, so a secret is never split across two.
type maskWriter struct {
	w       io.Writer
	secrets []string
}

func (m maskWriter) Write(p []byte) (int, error) {
	s := string(p)
	for _, sec := range m.secrets {
		s = strings.ReplaceAll(s, sec, dburl.Mask)
	}
	if _, err := io.WriteString(m.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
