// Package conf holds Warden's default, commented Casbin model (model.conf)
// and policy (policy.csv) used by the demo and the warden CLI; its test
// checks that the decisions promised in their comments hold.
package conf
