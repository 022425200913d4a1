// Package models ships ready-made Casbin models, embedded in the binary.
//
// Each model is a commented .conf file that can be read with [Text] (to
// copy and edit) or loaded with [Load]. The names are the constants
// [RBAC], [RBACDeny], [RBACDomains], [RESTful], [ABAC] and [Permissions].
package models
