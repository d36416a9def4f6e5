package kubectl

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// flagKind is the type of a flag's value.
type flagKind int

const (
	boolFlag     flagKind = iota
	stringFlag            // the last value given wins
	stringsFlag           // repeatable, like -f
	intFlag               // parsed as kubectl's int flags are
	durationFlag          // a Go duration, like --timeout=30s
)

// flagDef declares one flag of a command, spelled as kubectl spells it.
type flagDef struct {
	long  string
	short string // one letter, or ""
	kind  flagKind
	def   string // the default, shown in help and returned when unset
	usage string
}

// flags holds the flags a command line set, parsed the way spf13/pflag (and so
// kubectl) parses them: interspersed with arguments, --name=value or --name
// value, -n value or -nvalue, bool shorthands grouped as in -it.
type flags struct {
	defs   []flagDef
	values map[string][]string // by long name, in the order given
}

func (f *flags) lookup(long string) *flagDef {
	for i := range f.defs {
		if f.defs[i].long == long {
			return &f.defs[i]
		}
	}
	return nil
}

func (f *flags) lookupShort(s string) *flagDef {
	for i := range f.defs {
		if f.defs[i].short == s {
			return &f.defs[i]
		}
	}
	return nil
}

// changed reports whether the command line set the flag.
func (f *flags) changed(long string) bool { return len(f.values[long]) > 0 }

func (f *flags) str(long string) string {
	if v := f.values[long]; len(v) > 0 {
		return v[len(v)-1]
	}
	if d := f.lookup(long); d != nil {
		return d.def
	}
	return ""
}

func (f *flags) strs(long string) []string { return f.values[long] }

func (f *flags) bool(long string) bool {
	b, _ := strconv.ParseBool(f.str(long))
	return b
}

func (f *flags) int(long string) int {
	n, _ := strconv.Atoi(f.str(long))
	return n
}

func (f *flags) duration(long string) time.Duration {
	d, _ := time.ParseDuration(f.str(long))
	return d
}

// flagError is a command-line error that kubectl follows with a pointer to
// the command's help.
type flagError struct {
	msg  string
	path string // "kubectl get"
}

func (e *flagError) Error() string {
	return e.msg + "\nSee '" + e.path + " --help' for usage."
}

// parsed is the result of parsing a command line.
type parsed struct {
	flags *flags
	args  []string // positional arguments before --
	dash  []string // arguments after --
	// sawDash reports whether -- was given, even with nothing after it.
	sawDash bool
}

// parseFlags parses args against defs. Values are checked as pflag checks
// them, so a bad --replicas fails with pflag's words.
func parseFlags(path string, defs []flagDef, args []string) (*parsed, error) {
	p := &parsed{flags: &flags{defs: defs, values: map[string][]string{}}}
	fail := func(format string, a ...any) (*parsed, error) {
		return nil, &flagError{msg: fmt.Sprintf(format, a...), path: path}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			p.sawDash = true
			p.dash = append(p.dash, args[i+1:]...)
			return p, nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			d := p.flags.lookup(name)
			if d == nil {
				return fail("unknown flag: --%s", name)
			}
			if !hasVal {
				if d.kind == boolFlag {
					val = "true"
				} else {
					if i+1 >= len(args) {
						return fail("flag needs an argument: --%s", name)
					}
					i++
					val = args[i]
				}
			}
			if err := p.flags.set(d, val); err != nil {
				return fail("%v", err)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			short := a[1:]
			for len(short) > 0 {
				c := short[:1]
				short = short[1:]
				d := p.flags.lookupShort(c)
				if d == nil {
					return fail("unknown shorthand flag: '%s' in %s", c, a)
				}
				var val string
				switch {
				case strings.HasPrefix(short, "="):
					val, short = short[1:], ""
				case d.kind == boolFlag:
					val = "true"
				case short != "":
					val, short = short, ""
				case i+1 < len(args):
					i++
					val = args[i]
				default:
					return fail("flag needs an argument: '%s' in %s", c, a)
				}
				if err := p.flags.set(d, val); err != nil {
					return fail("%v", err)
				}
			}
		default:
			p.args = append(p.args, a)
		}
	}
	return p, nil
}

// set records a value after checking it parses, with pflag's error text.
func (f *flags) set(d *flagDef, val string) error {
	name := "--" + d.long
	if d.short != "" {
		name = "-" + d.short + ", --" + d.long
	}
	bad := func(err error) error {
		return fmt.Errorf("invalid argument %q for %q flag: %v", val, name, err)
	}
	switch d.kind {
	case boolFlag:
		if _, err := strconv.ParseBool(val); err != nil {
			return bad(err)
		}
	case intFlag:
		if _, err := strconv.ParseInt(val, 0, 64); err != nil {
			return bad(err)
		}
	case durationFlag:
		if _, err := time.ParseDuration(val); err != nil {
			return bad(err)
		}
	case stringsFlag:
		// kubectl's -f is a string slice: a comma also separates values.
		f.values[d.long] = append(f.values[d.long], strings.Split(val, ",")...)
		return nil
	}
	f.values[d.long] = append(f.values[d.long], val)
	return nil
}
