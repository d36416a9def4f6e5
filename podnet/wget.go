package podnet

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const wgetUsage = `Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]
	[--post-data STR | --post-file FILE] [-Y on/off]
	[-P DIR] [-U AGENT] [-T SEC] URL...

Retrieve files via HTTP or FTP
`

// wgetTimeout is busybox wget's default network timeout (-T): longer than
// the kernel's connect timeout, so an unanswered connect fails with
// ETIMEDOUT first.
const wgetTimeout = 900 * time.Second

// wget is busybox wget (1.34): -q, -O FILE (- for standard output, or
// /dev/null), -T SEC, -S, --spider, --header 'Host: x', and -U/-Y/-t, which
// change nothing here. It prints "Connecting to", its progress bar and
// errors on standard error, and exits 1 on any failure.
func (x *execution) wget(args []string) int {
	var (
		quiet, spider, showResponse bool
		out                         = ""
		haveOut                     bool
		host                        string
		timeout                     = wgetTimeout
		urls                        []string
	)
	die := func(format string, a ...any) int {
		fmt.Fprintf(x.stderr, "wget: "+format+"\n", a...)
		return 1
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			urls = append(urls, a)
			continue
		}
		if a == "--" {
			urls = append(urls, args[i+1:]...)
			break
		}
		next := func(name, attached string) (string, bool) {
			if attached != "" {
				return attached, true
			}
			if i+1 >= len(args) {
				fmt.Fprintf(x.stderr, "wget: option requires an argument -- '%s'\n%s", strings.TrimLeft(name, "-"), wgetUsage)
				return "", false
			}
			i++
			return args[i], true
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a, "=")
			attached := ""
			if hasVal {
				attached = val
			}
			switch name {
			case "--quiet":
				quiet = true
			case "--spider":
				spider = true
			case "--server-response":
				showResponse = true
			case "--output-document", "--header", "--timeout", "--user-agent", "--proxy", "--tries":
				v, ok := next(name, attached)
				if !ok {
					return 1
				}
				switch name {
				case "--output-document":
					out, haveOut = v, true
				case "--header":
					if k, val, found := strings.Cut(v, ":"); found && strings.EqualFold(strings.TrimSpace(k), "host") {
						host = strings.TrimSpace(val)
					}
				case "--timeout":
					d, err := strconv.Atoi(v)
					if err != nil || d < 0 {
						return die("invalid number '%s'", v)
					}
					timeout = time.Duration(d) * time.Second
				}
			case "--no-check-certificate", "--no-verbose", "--no-cache", "--no-clobber", "--passive-ftp":
			default:
				fmt.Fprintf(x.stderr, "wget: unrecognized option '%s'\n%s", a, wgetUsage)
				return 1
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'q':
				quiet = true
			case 'S':
				showResponse = true
			case 'c':
			case 'O', 'T', 'U', 'Y', 't', 'P', 'o':
				v, ok := next(string(c), a[j+1:])
				if !ok {
					return 1
				}
				switch c {
				case 'O':
					out, haveOut = v, true
				case 'T':
					d, err := strconv.Atoi(v)
					if err != nil || d < 0 {
						return die("invalid number '%s'", v)
					}
					timeout = time.Duration(d) * time.Second
				case 'o', 'P':
					return die("kubesim's containers have no writable files: -%c is not modelled", c)
				}
				j = len(a)
			default:
				fmt.Fprintf(x.stderr, "wget: unrecognized option: %c\n%s", c, wgetUsage)
				return 1
			}
		}
	}
	if len(urls) == 0 {
		fmt.Fprint(x.stderr, wgetUsage)
		return 1
	}
	for _, u := range urls {
		if st := x.wgetOne(u, quiet, spider, showResponse, out, haveOut, host, timeout); st != 0 {
			// busybox wget dies at the first failure.
			return st
		}
	}
	return 0
}

// wgetOne fetches one URL.
func (x *execution) wgetOne(raw string, quiet, spider, showResponse bool, out string, haveOut bool, host string, timeout time.Duration) int {
	die := func(format string, a ...any) int {
		fmt.Fprintf(x.stderr, "wget: "+format+"\n", a...)
		return 1
	}
	req, err := parseURL(raw)
	if err != nil {
		return die("not an http or ftp url: %s", raw)
	}
	if host != "" {
		req.hostHeader = host
	}
	file := out
	if !haveOut {
		file = req.path
		if i := strings.IndexAny(file, "?"); i >= 0 {
			file = file[:i]
		}
		file = file[strings.LastIndexByte(file, '/')+1:]
		if file == "" {
			file = "index.html"
		}
	}
	if file != "-" && file != "/dev/null" && !spider {
		return die("can't open '%s': kubesim's containers have no writable files (use -O- or -O /dev/null)", file)
	}
	// Resolve first: busybox prints "Connecting to" once it has an address.
	t := x.fetchAnnounced(req, timeout, func(addrPort string) {
		if !quiet {
			fmt.Fprintf(x.stderr, "Connecting to %s (%s)\n", req.authority, addrPort)
		}
	})
	switch t.Outcome {
	case Unresolved:
		return die("bad address '%s'", req.host)
	case Connected:
	default:
		if t.ClientTimeout {
			return die("download timed out")
		}
		return die("can't connect to remote host (%s): %s", t.Addr, errnoText(t.Outcome))
	}
	r := t.Response
	if r.Empty {
		return die("error getting response: Connection reset by peer")
	}
	if showResponse {
		fmt.Fprintf(x.stderr, "  %s\n", r.StatusLine())
		for _, h := range r.Header {
			fmt.Fprintf(x.stderr, "  %s\n", h)
		}
	}
	if r.Status >= 400 || r.Status < 200 || r.Status == http.StatusPartialContent {
		return die("server returned error: %s", r.StatusLine())
	}
	if spider {
		if !quiet {
			fmt.Fprintln(x.stderr, "remote file exists")
		}
		return 0
	}
	if !quiet {
		if file == "-" {
			fmt.Fprintln(x.stderr, "writing to stdout")
		} else {
			fmt.Fprintf(x.stderr, "saving to '%s'\n", file)
		}
	}
	if file == "-" {
		fmt.Fprint(x.stdout, r.Body)
	}
	if !quiet {
		// The bar of a transfer that took under a second: full, and no ETA.
		fmt.Fprintf(x.stderr, "%-20.20s%4d%% |%s| %6d%c %s\n", lastComponent(file), 100, strings.Repeat("*", 32), len(r.Body), ' ', "--:--:-- ETA")
		if file == "-" {
			fmt.Fprintln(x.stderr, "written to stdout")
		} else {
			fmt.Fprintf(x.stderr, "'%s' saved\n", file)
		}
	}
	return 0
}

// fetchAnnounced is fetch with a hook called once the host has resolved,
// with the address and port connected to, before the connection is tried.
func (x *execution) fetchAnnounced(req request, limit time.Duration, resolved func(string)) *Trace {
	x.onResolved = resolved
	defer func() { x.onResolved = nil }()
	return x.fetch(req, limit)
}

func lastComponent(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}
