// Package heavy is what light must never pull.
package heavy
