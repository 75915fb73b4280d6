// Package config reads the command line of each stockstream subcommand
// into its configuration, checked: serve's (Serve, ParseServe), watch's,
// publish's and token's. Flags and arguments come in any order, every
// flag can also be set as STOCKSTREAM_<FLAG> (see cmdline), and a bad
// value is an error that names the flag (or the variable) and why. Every
// error of a command line is reported together, and none quotes a secret:
// no key, token or password.
package config
