// Package tcpproxy is a test helper: a TCP forwarder on a loopback port that
// can be cut and restored, to make a real PostgreSQL or Redis unreachable for
// one client without touching the server other tests share.
package tcpproxy
