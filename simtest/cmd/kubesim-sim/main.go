// Command kubesim-sim runs kubesim's randomised simulation tester from the
// command line: one seed, many seeds, or a replay of a printed failure.
//
//	kubesim-sim -seed 42 -ops-count 300          generate and run one seed
//	kubesim-sim -seeds 1000 -ops-count 500       run seeds 1 to 1000
//	kubesim-sim -config 'seed=42 nodes=3' -ops 'deploy create default/d1 replicas=2; advance 5s'
//	kubesim-sim -config 'seed=42' -ops-file failure.ops -trace
//
// It prints each run's trace hash, which equals what simtest.Run returns
// from Go for the same seed and ops, whatever GOMAXPROCS is. It exits 1 when
// a run fails, after printing the shrunk failure and its replay command.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kubesim/kubesim/simtest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kubesim-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "seed of a single run")
	seeds := fs.Int("seeds", 0, "run seeds 1..N instead of one")
	count := fs.Int("ops-count", 300, "ops to generate per seed")
	config := fs.String("config", "", "configuration (\"seed=N platform=P nodes=N zones=N mode=M\"); default: drawn from the seed")
	opsText := fs.String("ops", "", "ops to run instead of generated ones, separated by ';'")
	opsFile := fs.String("ops-file", "", "file of ops to run instead of generated ones, one per line")
	unchecked := fs.Bool("unchecked", false, "run without the invariant checker (only the trace hash)")
	shrink := fs.Bool("shrink", true, "shrink a failing run before printing it")
	trace := fs.Bool("trace", false, "print the run's trace")
	printOps := fs.Bool("print-ops", false, "print the generated ops")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var given []simtest.Op
	if *opsFile != "" {
		b, err := os.ReadFile(*opsFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		*opsText = string(b)
	}
	if *opsText != "" {
		ops, err := simtest.Parse(*opsText)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		given = ops
	}
	first, last := *seed, *seed
	if *seeds > 0 {
		first, last = 1, uint64(*seeds)
	}
	failed := 0
	for s := first; s <= last; s++ {
		cfg := simtest.RandomConfig(s)
		if *config != "" {
			c, err := simtest.ParseConfig(*config)
			if err != nil {
				fmt.Fprintln(stderr, err)
				return 2
			}
			if *seeds > 0 {
				c.Seed = s
			}
			cfg = c
		}
		ops := given
		if ops == nil {
			ops = simtest.Generate(cfg, *count)
		}
		if *printOps {
			fmt.Fprint(stdout, simtest.Format(ops))
		}
		var res simtest.Result
		if *unchecked {
			res = simtest.RunUnchecked(cfg, ops)
		} else {
			res = simtest.Run(cfg, ops)
		}
		if *trace {
			fmt.Fprint(stdout, simtest.Trace(cfg, ops))
		}
		fmt.Fprintf(stdout, "seed %d: %d ops, %d refused, trace %s", cfg.Seed, res.Steps, res.Errors, res.TraceHash)
		if res.Failure == nil {
			fmt.Fprintln(stdout, ": ok")
			continue
		}
		failed++
		fmt.Fprintf(stdout, ": FAIL %s\n", res.Failure.Signature())
		shrunk, f := ops, res.Failure
		if *shrink {
			shrunk, f = simtest.Shrink(cfg, ops, 0)
		}
		fmt.Fprint(stdout, simtest.Report(cfg, len(ops), shrunk, f))
	}
	if failed > 0 {
		return 1
	}
	return 0
}
