package light

// On windows, light pulls heavy.
import _ "example.com/layers/heavy"
