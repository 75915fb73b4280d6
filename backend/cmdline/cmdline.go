// Package cmdline reads the command line of every stockstream subcommand
// the same way: flags and arguments in any order, every flag also set by
// an environment variable STOCKSTREAM_<FLAG> (the command line wins), and
// a usage text that says so and lists the subcommands.
package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// EnvPrefix starts the environment variable of every flag:
// --publish-token is STOCKSTREAM_PUBLISH_TOKEN.
const EnvPrefix = "STOCKSTREAM_"

// Commands is the summary of the subcommands that every usage text ends
// with.
const Commands = `Commands:
  stockstream [serve] [flags]                     serve the stream and the dashboard (the default)
  stockstream watch [flags] [URL]                 live prices of a server in the terminal, or NDJSON
  stockstream publish --to URL --token T [FILE|-] publish a price file through a server's API
  stockstream token --symbols A,B [--ttl 1h]      print a subscriber token signed with --subscribe-key
Run stockstream COMMAND --help for the flags of each.
`

// NewFlagSet returns an empty flag set named name whose errors and usage
// text go to out. The usage text is the synopsis, what the command does,
// the environment rule, the flags and Commands. A bad flag is an error,
// and --help is flag.ErrHelp.
func NewFlagSet(name, synopsis, what string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: stockstream %s\n\n%s\nEvery flag can also be set as %s<FLAG> (upper case, - as _); the command line wins.\n\nFlags:\n", synopsis, what, EnvPrefix)
		fs.PrintDefaults()
		fmt.Fprintf(out, "\n%s", Commands)
	}
	return fs
}

// Parse parses args, flags and arguments in any order, then sets each
// flag not given from its environment variable, read with getenv. It
// returns the arguments. An error of the environment names the variable
// and its value.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if args = fs.Args(); len(args) == 0 {
			break
		}
		rest, args = append(rest, args[0]), args[1:]
	}
	return rest, applyEnv(fs, getenv)
}

// EnvName returns the variable that sets the flag name.
func EnvName(name string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its
// environment variable, if set.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		v := getenv(EnvName(f.Name))
		if given[f.Name] || v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", EnvName(f.Name), v, err))
		}
	})
	return errors.Join(errs...)
}

// Given reports whether the flag name was set, on the command line or
// from the environment, after Parse.
func Given(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// ServerURL returns a server address as typed on a command line with
// http:// in front when it has no scheme, so that localhost:8080 works as
// well as http://localhost:8080.
func ServerURL(s string) string {
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	return "http://" + s
}
