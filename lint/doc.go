// Package lint finds mistakes in a Casbin model and policy before they
// reach an enforcer: unknown sections, names the matcher uses but nothing
// defines, effects Casbin does not support, policy lines of the wrong shape,
// role cycles and duplicate rules.
//
// Every finding is a [Problem] that prints as FILE:LINE: message, the form
// editors and CI logs link to.
package lint
