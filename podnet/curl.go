package podnet

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// curl exit statuses (libcurl's CURLcode values).
const (
	curlUnsupportedProtocol = 1
	curlBadURL              = 3
	curlCouldntResolve      = 6
	curlCouldntConnect      = 7
	curlHTTPError           = 22
	curlTimedOut            = 28
	curlEmptyReply          = 52
	curlUsage               = 2
)

// curlOptions are the curl flags podnet models.
type curlOptions struct {
	silent, showError, fail, include, head bool
	discard                                bool // -o /dev/null
	host                                   string
	method                                 string
	connectTimeout, maxTime                time.Duration
	urls                                   []string
}

const curlTry = "curl: try 'curl --help' or 'curl --manual' for more information\n"

// curl is curl 7.80 (Alpine 3.15's, the sleep image's), or curl 8 for the
// images that ship it: -s, -S, -f, -i, -I, -o /dev/null or -, -H 'Host: x',
// -X, -m, --connect-timeout, and the accepted no-ops -L, -k and -4. Without
// -s it draws its progress meter on standard error, since kubectl exec gives
// it no terminal.
func (x *execution) curl(args []string) int {
	o, status := x.curlFlags(args)
	if status >= 0 {
		return status
	}
	if len(o.urls) == 0 {
		fmt.Fprint(x.stderr, "curl: no URL specified!\n"+curlTry)
		return curlUsage
	}
	status = 0
	for _, u := range o.urls {
		if st := x.curlOne(o, u); st != 0 {
			status = st
		}
	}
	return status
}

// curlFlags parses curl's command line; a status of 0 or more ends the run.
func (x *execution) curlFlags(args []string) (curlOptions, int) {
	var o curlOptions
	value := func(i *int, a string, attached string) (string, bool) {
		if attached != "" {
			return attached, true
		}
		if *i+1 >= len(args) {
			fmt.Fprintf(x.stderr, "curl: option %s: requires parameter\n"+curlTry, a)
			return "", false
		}
		*i++
		return args[*i], true
	}
	seconds := func(a, v string) (time.Duration, bool) {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1e6 || math.IsNaN(f) {
			fmt.Fprintf(x.stderr, "curl: option %s: expected a proper numerical parameter\n"+curlTry, a)
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.urls = append(o.urls, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			o.urls = append(o.urls, a)
			continue
		}
		var opts []string // each option, with an attached value after '\x00'
		if strings.HasPrefix(a, "--") {
			name, val, _ := strings.Cut(a, "=")
			opts = []string{name + "\x00" + val}
		} else {
			for j := 1; j < len(a); j++ {
				c := a[j : j+1]
				if strings.Contains("oHXmw", c) {
					opts = append(opts, "-"+c+"\x00"+a[j+1:])
					break
				}
				opts = append(opts, "-"+c+"\x00")
			}
		}
		for _, op := range opts {
			name, attached, _ := strings.Cut(op, "\x00")
			switch name {
			case "-s", "--silent":
				o.silent = true
			case "-S", "--show-error":
				o.showError = true
			case "-f", "--fail":
				o.fail = true
			case "-i", "--include":
				o.include = true
			case "-I", "--head":
				o.head = true
			case "-L", "--location", "-k", "--insecure", "-4", "--ipv4", "--compressed", "-N", "--no-buffer":
			case "-o", "--output":
				v, ok := value(&i, name, attached)
				if !ok {
					return o, curlUsage
				}
				switch v {
				case "-":
				case "/dev/null":
					o.discard = true
				default:
					fmt.Fprintf(x.stderr, "curl: (23) Failure writing output to destination: kubesim's containers have no writable files\n")
					return o, 23
				}
			case "-H", "--header":
				v, ok := value(&i, name, attached)
				if !ok {
					return o, curlUsage
				}
				if k, val, found := strings.Cut(v, ":"); found && strings.EqualFold(strings.TrimSpace(k), "host") {
					o.host = strings.TrimSpace(val)
				}
			case "-X", "--request":
				v, ok := value(&i, name, attached)
				if !ok {
					return o, curlUsage
				}
				o.method = v
			case "-m", "--max-time", "--connect-timeout":
				v, ok := value(&i, name, attached)
				if !ok {
					return o, curlUsage
				}
				d, ok := seconds(name, v)
				if !ok {
					return o, curlUsage
				}
				if name == "--connect-timeout" {
					o.connectTimeout = d
				} else {
					o.maxTime = d
				}
			default:
				fmt.Fprintf(x.stderr, "curl: kubesim's curl does not model option %s\n"+curlTry, name)
				return o, curlUsage
			}
		}
	}
	return o, -1
}

// curlOne fetches one URL and prints what curl prints.
func (x *execution) curlOne(o curlOptions, raw string) int {
	errs := !o.silent || o.showError
	fail := func(code int, format string, args ...any) int {
		if errs {
			fmt.Fprintf(x.stderr, "curl: (%d) %s\n", code, fmt.Sprintf(format, args...))
		}
		return code
	}
	req, err := parseURL(raw)
	if err != nil {
		if strings.HasPrefix(err.Error(), "protocol") {
			return fail(curlUnsupportedProtocol, "Protocol \"%s\" not supported or disabled in libcurl", req.scheme)
		}
		return fail(curlBadURL, "URL using bad/illegal format or missing URL")
	}
	if o.host != "" {
		req.hostHeader = o.host
	}
	switch {
	case o.method != "":
		req.method = o.method
	case o.head:
		req.method = http.MethodHead
	}
	limit := o.connectTimeout
	if o.maxTime > 0 && (limit == 0 || o.maxTime < limit) {
		limit = o.maxTime
	}
	if limit == 0 {
		limit = 300 * time.Second // curl's default connect timeout
	}
	if !o.silent {
		fmt.Fprint(x.stderr, "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"+
			"                                 Dload  Upload   Total   Spent    Left  Speed\n")
	}
	t := x.fetch(req, limit)
	body := ""
	if r := t.Response; r != nil && !r.Empty {
		body = r.Body
		if o.head || req.method == http.MethodHead {
			body = ""
		}
	}
	meter := func() {
		if !o.silent {
			fmt.Fprintln(x.stderr, curlMeter(len(body), t.Elapsed))
		}
	}
	ms := t.Elapsed.Milliseconds()
	switch t.Outcome {
	case Unresolved:
		meter()
		return fail(curlCouldntResolve, "Could not resolve host: %s", req.host)
	case Connected:
	default:
		meter()
		code := curlCouldntConnect
		if t.Outcome == TimedOut {
			code = curlTimedOut
		}
		switch {
		case t.ClientTimeout && x.img.Curl8:
			return fail(code, "Failed to connect to %s port %d after %d ms: Timeout was reached", req.host, req.port, ms)
		case t.ClientTimeout:
			return fail(code, "Connection timed out after %d milliseconds", ms)
		case x.img.Curl8:
			return fail(code, "Failed to connect to %s port %d after %d ms: Couldn't connect to server", req.host, req.port, ms)
		}
		return fail(code, "Failed to connect to %s port %d after %d ms: %s", req.host, req.port, ms, errnoText(t.Outcome))
	}
	r := t.Response
	if r.Empty {
		meter()
		return fail(curlEmptyReply, "Empty reply from server")
	}
	if o.fail && r.Status >= 400 {
		meter()
		return fail(curlHTTPError, "The requested URL returned error: %d", r.Status)
	}
	if !o.discard {
		if o.include || o.head {
			fmt.Fprintln(x.stdout, r.StatusLine())
			for _, h := range r.Header {
				fmt.Fprintln(x.stdout, h)
			}
			fmt.Fprintln(x.stdout)
		}
		fmt.Fprint(x.stdout, body)
	}
	meter()
	return 0
}

// curlMeter is the last line of curl's progress meter for a transfer of n
// bytes that took d.
func curlMeter(n int, d time.Duration) string {
	pct := 0
	if n > 0 {
		pct = 100
	}
	speed := 0
	if n > 0 && d > 0 {
		speed = int(float64(n) / d.Seconds())
	}
	total := "    0"
	if n > 0 {
		total = max5(n)
	}
	return fmt.Sprintf("%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s",
		pct, total, pct, max5(n), 0, max5(0), max5(speed), max5(0),
		"--:--:--", curlTime(d), "--:--:--", max5(speed))
}

// max5 renders a byte count in curl's five columns.
func max5(n int) string {
	switch {
	case n < 100000:
		return fmt.Sprintf("%5d", n)
	case n < 10000*1024:
		return fmt.Sprintf("%4dk", n/1024)
	}
	return fmt.Sprintf("%4dM", n/(1024*1024))
}

// curlTime renders the time spent as curl does: eight columns, dashes
// under a second.
func curlTime(d time.Duration) string {
	s := int(d / time.Second)
	if s <= 0 {
		return "--:--:--"
	}
	return fmt.Sprintf("%2d:%02d:%02d", s/3600, s/60%60, s%60)
}
