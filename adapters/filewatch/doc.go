// Package filewatch reloads a policy file when it changes on disk: a Casbin
// policy.csv (package csvfile, through the enforcer) or a JSON policy file
// (package jsonfile).
//
// It watches the file's directory rather than the file, because editors and
// deployment tools replace a file by writing a new one and renaming it over
// the old: a watch on the old file would see it removed and then nothing.
// Events for the file's name are gathered for a short quiet period, then the
// reload functions run once.
//
// A file reached through symlinks is followed too: an event on the file it
// resolves to, or any change in the directory after which it resolves to
// another file, reloads. That is how a Kubernetes ConfigMap volume updates:
// FILE is a symlink to ..data/FILE, and an update renames a new ..data
// symlink over the old one, with no event on FILE itself.
//
// A Watcher is a Casbin persist.Watcher, so enforcer.SetWatcher(w) makes an
// enforcer reload on change; the enforcer's Reload keeps the policy in force
// when the new file is bad. To learn about the error (it names the file and
// line), give the reload with WithReload and a handler with WithErrorHandler
// instead. A reload that panics is recovered and reported the same way
// (ErrReloadPanicked): it runs on the watcher's goroutine, where a panic
// would otherwise end the process.
package filewatch
