package kubectl

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/internal/textdiff"
	"github.com/kubesim/kubesim/script"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// terminal records what a command writes, in order, marking standard error,
// so that a transcript shows both streams as a terminal would and still
// tells them apart.
type terminal struct {
	b      bytes.Buffer
	stderr bool // the last write went to standard error
	open   bool // the last write did not end its line
}

type stream struct {
	t   *terminal
	err bool
}

func (s stream) Write(p []byte) (int, error) {
	t := s.t
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line == "" {
			continue
		}
		if t.open && t.stderr != s.err {
			t.b.WriteString("%\n")
			t.open = false
		}
		if s.err && !t.open {
			t.b.WriteString("! ")
		}
		t.b.WriteString(line)
		t.open = !strings.HasSuffix(line, "\n")
		t.stderr = s.err
	}
	return len(p), nil
}

// end closes an unterminated line with zsh's % marker, as the lab's readers
// saw after -o jsonpath output.
func (t *terminal) end() {
	if t.open {
		t.b.WriteString("%\n")
		t.open = false
	}
}

// transcript runs src on r and renders each command as `$ text`, its output,
// and its exit status when not zero.
func transcript(t *testing.T, r *Runner, src string) string {
	t.Helper()
	cmds, err := script.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var term terminal
	for _, c := range cmds {
		fmt.Fprintf(&term.b, "$ %s\n", c.Text)
		status := r.Run(c, stream{&term, false}, stream{&term, true})
		term.end()
		if status != 0 {
			fmt.Fprintf(&term.b, "[exit %d]\n", status)
		}
	}
	return term.b.String()
}

// newRunner returns a Runner on a fresh Docker Desktop cluster, reading the
// chapter 3 manifests, with the test image's programs.
func newRunner(t testing.TB) *Runner {
	t.Helper()
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := New(c)
	// The transcripts were written for one second between commands: that
	// pace is what shows containers not started yet and pods not Ready.
	r.ThinkTime = time.Second
	r.Dir = filepath.Join("..", "examples", "ch03")
	r.Exec = testImage
	return r
}

// testImage stands in for the DNS and network tools, which other packages
// provide: fixed answers, enough to exercise pipes and exit statuses.
var testImage = ExecFunc(func(p *api.Pod, container string, argv []string, stdin string, stdout, stderr io.Writer) (int, bool) {
	switch argv[0] {
	case "nslookup":
		name := argv[len(argv)-1]
		fmt.Fprintf(stdout, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n")
		if name == "nope" {
			for _, s := range []string{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"} {
				fmt.Fprintf(stdout, "** server can't find nope.%s: NXDOMAIN\n\n", s)
			}
			return 1, true
		}
		fqdn := name
		if !strings.Contains(name, ".") {
			fmt.Fprintf(stdout, "** server can't find %s.svc.cluster.local: NXDOMAIN\n\n", name)
			fqdn = name + ".default.svc.cluster.local"
		}
		fmt.Fprintf(stdout, "Name:\t%s\nAddress: 10.98.2.165\n\n", fqdn)
		return 0, true
	case "ping":
		target := argv[len(argv)-1]
		fmt.Fprintf(stdout, "PING %s (%s): 56 data bytes\n\n--- %s ping statistics ---\n1 packets transmitted, 0 packets received, 100%% packet loss\n", target, target, target)
		return 1, true
	case "cat":
		if len(argv) == 2 && argv[1] == "/etc/resolv.conf" {
			fmt.Fprintf(stdout, "search %s.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", p.Namespace)
			return 0, true
		}
	}
	return 0, false
})

// TestGolden runs each testdata/*.script on a fresh cluster and compares the
// transcript with the .golden file beside it; -update rewrites the goldens,
// whose diff must be reviewed before it is committed.
func TestGolden(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join("testdata", "*.script"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no testdata/*.script")
	}
	for _, path := range scripts {
		name := strings.TrimSuffix(filepath.Base(path), ".script")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := transcript(t, newRunner(t), string(src))
			textdiff.Golden(t, strings.TrimSuffix(path, ".script")+".golden", got, *update)
		})
	}
}
