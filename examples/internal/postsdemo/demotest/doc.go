// Package demotest drives a demo app (echo-posts or http-posts) end to end
// in tests: it starts the app's run function on a free port, reads the
// tokens the app prints, and checks every route over real HTTP.
package demotest
