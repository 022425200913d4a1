// Package permission is the one codec between permission strings such as
// "read:posts", "posts:*" or "*" and Casbin rules for the embedded
// "permissions" model.
//
// A permission is a string of segments separated by ':'. A granted permission
// may end in '*', which matches any text at that place and after it:
// "read:*" grants "read:posts" and "read:users:42", and "*" grants everything.
// This is exactly Casbin's keyMatch, which the permissions model uses, so a
// guard that compares strings and an enforcer that evaluates rules agree.
// A granted permission that starts with '!' is a deny rule: "!delete:posts"
// takes "delete:posts" away even from a holder of "*".
package permission
