package cmdline_test

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/backend/cmdline"
)

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{"addr": "STOCKSTREAM_ADDR", "publish-token": "STOCKSTREAM_PUBLISH_TOKEN", "max-conns-per-ip": "STOCKSTREAM_MAX_CONNS_PER_IP"} {
		if got := cmdline.EnvName(flag); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flag, got, want)
		}
	}
}

// flags returns a flag set with a string, a bool and a number.
func flags(out io.Writer) (fs *flag.FlagSet, s *string, b *bool, n *int) {
	fs = cmdline.NewFlagSet("stockstream test", "test [flags] ARG...", "Tests the command line.", out)
	return fs, fs.String("name", "def", "a name"), fs.Bool("on", false, "a switch"), fs.Int("max-count", 1, "a number")
}

// TestParseTakesFlagsAndArgumentsInAnyOrder: arguments between flags are
// returned in order, and the flags after them still count.
func TestParseTakesFlagsAndArgumentsInAnyOrder(t *testing.T) {
	fs, s, b, n := flags(io.Discard)
	rest, err := cmdline.Parse(fs, []string{"a", "--name", "x", "b", "--on", "c", "--max-count=3"}, func(string) string { return "" })
	if err != nil || !slices.Equal(rest, []string{"a", "b", "c"}) || *s != "x" || !*b || *n != 3 {
		t.Fatalf("rest %q, name %q, on %v, count %d, %v", rest, *s, *b, *n, err)
	}
	fs, _, _, _ = flags(io.Discard)
	if rest, err := cmdline.Parse(fs, []string{"--", "--name"}, func(string) string { return "" }); err != nil || !slices.Equal(rest, []string{"--name"}) {
		t.Fatalf("after --: %q, %v", rest, err)
	}
}

// TestParseReadsTheEnvironmentForFlagsNotGiven: the command line wins; a
// variable set empty is not set; a bad value names its variable.
func TestParseReadsTheEnvironmentForFlagsNotGiven(t *testing.T) {
	vars := map[string]string{"STOCKSTREAM_NAME": "env", "STOCKSTREAM_ON": "true", "STOCKSTREAM_MAX_COUNT": ""}
	fs, s, b, n := flags(io.Discard)
	if _, err := cmdline.Parse(fs, []string{"--name", "flag"}, func(k string) string { return vars[k] }); err != nil || *s != "flag" || !*b || *n != 1 {
		t.Fatalf("name %q, on %v, count %d, %v", *s, *b, *n, err)
	}
	if !cmdline.Given(fs, "on") || !cmdline.Given(fs, "name") || cmdline.Given(fs, "max-count") {
		t.Errorf("Given: a flag set from the environment counts as given, one not set does not")
	}
	fs, _, _, _ = flags(io.Discard)
	vars = map[string]string{"STOCKSTREAM_ON": "perhaps", "STOCKSTREAM_MAX_COUNT": "many"}
	_, err := cmdline.Parse(fs, nil, func(k string) string { return vars[k] })
	if err == nil || !strings.Contains(err.Error(), `STOCKSTREAM_ON="perhaps"`) || !strings.Contains(err.Error(), `STOCKSTREAM_MAX_COUNT="many"`) {
		t.Fatalf("bad variables: %v, want both named", err)
	}
}

func TestUsageSaysTheEnvironmentRuleAndTheCommands(t *testing.T) {
	var out strings.Builder
	fs, _, _, _ := flags(&out)
	_, err := cmdline.Parse(fs, []string{"--help"}, func(string) string { return "" })
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"Usage: stockstream test [flags] ARG...\n\nTests the command line.\n", "STOCKSTREAM_<FLAG> (upper case, - as _); the command line wins", "-max-count int", `(default "def")`, cmdline.Commands} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	fs, _, _, _ = flags(&out)
	if _, err := cmdline.Parse(fs, []string{"--nope"}, func(string) string { return "" }); err == nil || !strings.Contains(out.String(), "flag provided but not defined: -nope") {
		t.Errorf("an unknown flag: %v, %q", err, out.String())
	}
}

func TestServerURL(t *testing.T) {
	for in, want := range map[string]string{"": "", "localhost:8080": "http://localhost:8080", "https://h": "https://h", "ftp://h": "ftp://h"} {
		if got := cmdline.ServerURL(in); got != want {
			t.Errorf("ServerURL(%q) = %q, want %q", in, got, want)
		}
	}
}
