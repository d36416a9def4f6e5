package simtest

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
)

var (
	flagSeeds = flag.Int("sim.seeds", 0, "seeds TestRandom runs (default 30, 8 under -race; or $KUBESIM_SIM_SEEDS)")
	flagOps   = flag.Int("sim.ops", 0, "ops per seed (default 300, 150 under -race; or $KUBESIM_SIM_OPS)")
	flagFirst = flag.Uint64("sim.first", 1, "first seed TestRandom runs")
)

func setting(flagVal int, env string, def, raceDef int) int {
	if flagVal > 0 {
		return flagVal
	}
	if v, err := strconv.Atoi(os.Getenv(env)); err == nil && v > 0 {
		return v
	}
	if raceEnabled {
		return raceDef
	}
	return def
}

// TestRandom is the randomised simulation: for each seed, a configuration
// and an op sequence drawn from it, the invariant checker after every op,
// and at the end every fault healed, the cluster settled and checked again.
// A failure is shrunk and printed with a one-line replay command.
//
// CI runs 30 seeds of 300 ops (8 of 150 under the race detector). The long
// run is
//
//	go test ./simtest -run TestRandom -sim.seeds 10000 -sim.ops 1000 -timeout 3h
//
// or the same with KUBESIM_SIM_SEEDS and KUBESIM_SIM_OPS set; -sim.first
// starts elsewhere, and the command simtest/cmd/kubesim-sim -seeds N runs
// seeds outside go test.
func TestRandom(t *testing.T) {
	seeds := setting(*flagSeeds, "KUBESIM_SIM_SEEDS", 30, 8)
	n := setting(*flagOps, "KUBESIM_SIM_OPS", 300, 150)
	start := time.Now()
	var steps, refused, settled, failed int
	for s := *flagFirst; s < *flagFirst+uint64(seeds); s++ {
		cfg := RandomConfig(s)
		ops := Generate(cfg, n)
		res := Run(cfg, ops)
		steps += res.Steps
		refused += res.Errors
		settled += res.Settled
		if res.Failure != nil {
			failed++
			shrunk, f := Shrink(cfg, ops, 0)
			t.Errorf("\n%s", Report(cfg, len(ops), shrunk, f))
		}
	}
	t.Logf("%d seeds x %d ops: %d ops run (%d refused by the cluster, as generated on purpose), %d checks with nothing pending, %d failures, %v",
		seeds, n, steps, refused, settled, failed, time.Since(start).Round(time.Millisecond))
}

func TestParseRoundTrip(t *testing.T) {
	cfg := RandomConfig(77)
	ops := Generate(cfg, 500)
	again, err := Parse(Format(ops))
	if err != nil {
		t.Fatal(err)
	}
	if Format(again) != Format(ops) {
		t.Fatal("Format/Parse is not a round trip")
	}
	semi, err := Parse(strings.ReplaceAll(Format(ops), "\n", "; "))
	if err != nil || Format(semi) != Format(ops) {
		t.Fatalf("';'-separated form: %v", err)
	}
	c2, err := ParseConfig(cfg.String())
	if err != nil || c2 != cfg {
		t.Fatalf("config round trip: %v %v", c2, err)
	}
	for _, bad := range []string{"frobnicate x", "ns create", "advance"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for _, bad := range []string{"nodes=0", "seed=x", "mode=bpf", "colour=red", "nodes"} {
		if _, err := ParseConfig(bad); err == nil {
			t.Errorf("config %q parsed", bad)
		}
	}
}

// TestGeneratorIsAPrefix: a longer sequence from the same seed starts with
// the shorter one, so that -sim.ops can grow without changing what ran.
func TestGeneratorIsAPrefix(t *testing.T) {
	cfg := RandomConfig(5)
	a, b := Format(Generate(cfg, 100)), Format(Generate(cfg, 300))
	if !strings.HasPrefix(b, a) {
		t.Error("not a prefix")
	}
}

// testCorrupt is an op only tests use: it breaks the cluster DNS behind the
// store's back, so that shrinking has a failure that no fix will remove.
func init() {
	testVerb = func(c *kubesim.Cluster, o Op) error {
		c.DNS().DeleteService("default", o.Args[0])
		return nil
	}
}

func TestShrink(t *testing.T) {
	cfg := RandomConfig(3)
	noise := Generate(cfg, 120)
	ops := append([]Op{}, noise[:60]...)
	ops = append(ops,
		Op{Verb: "svc", Args: []string{"create", "default/target", "type=ClusterIP", "ports=web:80:8080"}},
		Op{Verb: "settle"},
		Op{Verb: "x-test", Args: []string{"target"}},
	)
	ops = append(ops, noise[60:]...)
	res := Run(cfg, ops)
	if res.Failure == nil || res.Failure.Signature() != "dns-ptr,dns-service,dns-srv" {
		t.Fatalf("want a DNS failure, got %v", res.Failure)
	}
	shrunk, f := Shrink(cfg, ops, 0)
	if f == nil || f.Signature() != res.Failure.Signature() {
		t.Fatalf("shrunk failure %v", f)
	}
	if len(shrunk) > 3 {
		t.Errorf("shrunk to %d ops, want 3:\n%s", len(shrunk), Format(shrunk))
	}
	report := Report(cfg, len(ops), shrunk, f)
	for _, want := range []string{"seed 3", "config: " + cfg.String(), "shrunk from 123 generated ops to 3:", "replay:\n  go run ./simtest/cmd/kubesim-sim -config '"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// TestReplayCommand takes the printed replay command apart and runs it:
// the same failure comes back.
func TestReplayCommand(t *testing.T) {
	cfg := RandomConfig(9)
	ops := []Op{{Verb: "svc", Args: []string{"create", "default/s", "ports=web:80:8080"}}, {Verb: "settle"}, {Verb: "x-test", Args: []string{"s"}}}
	cmd := ReplayCommand(cfg, ops)
	m := regexp.MustCompile(`-config '([^']*)' -ops '([^']*)'$`).FindStringSubmatch(cmd)
	if m == nil {
		t.Fatalf("command %q", cmd)
	}
	c2, err := ParseConfig(m[1])
	if err != nil {
		t.Fatal(err)
	}
	// x-test is not a public verb; the rest of the line must parse.
	if _, err := Parse(strings.Split(m[2], ";")[0]); err != nil {
		t.Fatal(err)
	}
	if a, b := Run(cfg, ops).Failure.Signature(), Run(c2, ops).Failure.Signature(); a != b || a == "" {
		t.Errorf("replayed %q, want %q", b, a)
	}
}

// hashes runs seeds 1..n unchecked and returns their trace hashes.
func hashes(n, ops int) []string {
	out := make([]string, n)
	for i := range out {
		cfg := RandomConfig(uint64(i + 1))
		out[i] = Run(cfg, Generate(cfg, ops)).TraceHash
	}
	return out
}

// TestSameSeedSameTrace: a seed gives the same trace hash every time, also
// when several seeds run at once on separate goroutines under load.
func TestSameSeedSameTrace(t *testing.T) {
	const n, ops = 6, 120
	want := hashes(n, ops)
	if again := hashes(n, ops); strings.Join(again, " ") != strings.Join(want, " ") {
		t.Fatalf("second run differs:\n%v\n%v", want, again)
	}
	old := runtime.GOMAXPROCS(8)
	defer runtime.GOMAXPROCS(old)
	stop := make(chan struct{})
	var load sync.WaitGroup
	for range 4 {
		load.Add(1)
		go func() { // churn the scheduler and the allocator
			defer load.Done()
			for {
				select {
				case <-stop:
					return
				default:
					runtime.KeepAlive(make([]byte, 1<<12))
					runtime.Gosched()
				}
			}
		}()
	}
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := RandomConfig(uint64(i + 1))
			got[i] = Run(cfg, Generate(cfg, ops)).TraceHash
		}()
	}
	wg.Wait()
	close(stop)
	load.Wait()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("concurrent runs at GOMAXPROCS=8 differ:\n%v\n%v", want, got)
	}
}

// TestHelperPrintHashes is run as a subprocess by TestAcrossGOMAXPROCS.
func TestHelperPrintHashes(t *testing.T) {
	if os.Getenv("KUBESIM_HELPER_HASHES") == "" {
		t.Skip("helper for TestAcrossGOMAXPROCS")
	}
	for _, h := range hashes(4, 120) {
		fmt.Println("hash", h)
	}
	fmt.Println("gomaxprocs", runtime.GOMAXPROCS(0))
}

// TestAcrossGOMAXPROCS runs this test binary again with GOMAXPROCS=1 and 8
// and compares the trace hashes with this process's.
func TestAcrossGOMAXPROCS(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	want := hashes(4, 120)
	for _, procs := range []string{"1", "8"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPrintHashes$", "-test.v")
		cmd.Env = append(os.Environ(), "KUBESIM_HELPER_HASHES=1", "GOMAXPROCS="+procs)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GOMAXPROCS=%s: %v\n%s", procs, err, out)
		}
		var got []string
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if h, ok := strings.CutPrefix(sc.Text(), "hash "); ok {
				got = append(got, h)
			}
			if p, ok := strings.CutPrefix(sc.Text(), "gomaxprocs "); ok && p != procs {
				t.Fatalf("child ran with GOMAXPROCS %s, want %s", p, procs)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("GOMAXPROCS=%s: %v, in process: %v", procs, got, want)
		}
	}
}

// TestCommandLineMatchesAPI builds the kubesim-sim command and checks that
// it prints, for the same seeds and ops, the trace hashes simtest.Run
// returns, at GOMAXPROCS=1 and 8.
func TestCommandLineMatchesAPI(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds a binary; skipped with -short and -race")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	bin := filepath.Join(t.TempDir(), "kubesim-sim")
	if out, err := exec.Command(gotool, "build", "-o", bin, "./cmd/kubesim-sim").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const seeds, ops = 3, 150
	want := map[string]string{}
	for s := 1; s <= seeds; s++ {
		cfg := RandomConfig(uint64(s))
		want[strconv.Itoa(s)] = Run(cfg, Generate(cfg, ops)).TraceHash
	}
	line := regexp.MustCompile(`^seed (\d+): \d+ ops, \d+ refused, trace ([0-9a-f]{16}): ok$`)
	for _, procs := range []string{"1", "8"} {
		cmd := exec.Command(bin, "-seeds", strconv.Itoa(seeds), "-ops-count", strconv.Itoa(ops))
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GOMAXPROCS=%s: %v\n%s", procs, err, out)
		}
		n := 0
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			m := line.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("unexpected output line %q", l)
			}
			n++
			if want[m[1]] != m[2] {
				t.Errorf("GOMAXPROCS=%s seed %s: command line %s, Go API %s", procs, m[1], m[2], want[m[1]])
			}
		}
		if n != seeds {
			t.Errorf("%d lines, want %d", n, seeds)
		}
	}
	// A replay of given ops prints the same hash as Run of those ops.
	cfg := RandomConfig(2)
	ops2 := Generate(cfg, 40)
	out, err := exec.Command(bin, "-config", cfg.String(), "-ops", strings.ReplaceAll(strings.TrimSpace(Format(ops2)), "\n", "; ")).CombinedOutput()
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	if h := Run(cfg, ops2).TraceHash; !strings.Contains(string(out), "trace "+h+": ok") {
		t.Errorf("replay printed %q, want hash %s", out, h)
	}
}

// TestSelfCheckOnASimulation runs a generated sequence through kubesim's own
// determinism self-check.
func TestSelfCheckOnASimulation(t *testing.T) {
	cfg := RandomConfig(4)
	ops := Generate(cfg, 150)
	c, _ := cfg.Cluster()
	err := kubesim.SelfCheck(kubesim.Config{Seed: cfg.Seed, Platform: cfg.Platform, Nodes: kubesim.GenerateNodes(cfg.Nodes, cfg.Zones)}, func(c *kubesim.Cluster) error {
		w := &world{cfg: cfg, c: c}
		for _, o := range ops {
			_ = w.do(o)
		}
		return c.Settle()
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	_ = api.KindPod
}

// FuzzParseOps: Parse never panics, and what it accepts formats back to text
// that parses to the same ops.
func FuzzParseOps(f *testing.F) {
	f.Add(Format(Generate(RandomConfig(1), 30)))
	f.Add("advance 1s; settle\nfault watch dns drop=1 for=3s\n# comment\n")
	f.Fuzz(func(t *testing.T, s string) {
		ops, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(Format(ops))
		if err != nil || Format(again) != Format(ops) {
			t.Fatalf("%q: round trip: %v", s, err)
		}
	})
}

// FuzzSim lets the fuzzer pick seeds and lengths: coverage-guided
// simulation. Every run must pass the checker.
func FuzzSim(f *testing.F) {
	for s := range uint64(5) {
		f.Add(s, uint8(60))
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) {
		cfg := RandomConfig(seed)
		ops := Generate(cfg, int(n)+1)
		if res := Run(cfg, ops); res.Failure != nil {
			shrunk, fl := Shrink(cfg, ops, 300)
			t.Fatalf("\n%s", Report(cfg, len(ops), shrunk, fl))
		}
	})
}
