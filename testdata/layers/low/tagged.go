//go:build windows || warden_extra

package low

// A file another platform's build compiles imports a higher layer.
import _ "example.com/layers/high"
