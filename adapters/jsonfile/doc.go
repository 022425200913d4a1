// Package jsonfile serves groups and permissions from a JSON file:
//
//	{
//	  "users":      {"john": ["read:posts"]},
//	  "roles":      {"editor": ["read:posts", "write:posts"]},
//	  "user_roles": {"john": ["editor"]}
//	}
//
// A File answers groups (Groups: a user's roles) and permissions
// (Permissions: a user's own permissions plus those of their roles), each a
// provider through warden.ProviderFunc, and is a Casbin persist.Adapter for
// the permissions model ("g, user, role" and one "p" rule per permission,
// through package permission).
//
// Every load parses and checks the whole file first and swaps it in only if
// it is good, so a broken edit keeps the last good policy in force. Errors
// are *ParseError values that say FILE:LINE and what is wrong. To reload on
// change, use package filewatch.
package jsonfile
