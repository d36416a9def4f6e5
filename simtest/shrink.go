package simtest

import (
	"fmt"
	"slices"
	"strings"
)

// Shrink reduces a failing sequence to a short one that fails the same way
// (same Failure.Signature): it cuts everything after the failing op, removes
// chunks of ops and then single ops (delta debugging) while the failure
// persists, and finally drops the options of each remaining op one by one.
// It runs the cluster at most budget times (0: 2000) and returns the
// shortest failing sequence found with its failure.
func Shrink(cfg Config, ops []Op, budget int) ([]Op, *Failure) {
	if budget <= 0 {
		budget = 2000
	}
	first := Run(cfg, ops).Failure
	if first == nil {
		return ops, nil
	}
	sig := first.Signature()
	best, bestFail := ops, first
	runs := 1
	// try reports whether cand fails the same way, and keeps it (cut after
	// its failing op) if so.
	try := func(cand []Op) bool {
		if runs >= budget {
			return false
		}
		runs++
		f := Run(cfg, cand).Failure
		if f == nil || f.Signature() != sig {
			return false
		}
		if f.Step >= 0 && f.Step < len(cand) {
			cand = cand[:f.Step+1]
		}
		best, bestFail = slices.Clone(cand), f
		return true
	}
	if first.Step >= 0 && first.Step < len(ops)-1 {
		try(ops[:first.Step+1])
	}
	// Delta debugging over chunks.
	for n := 2; len(best) >= 2 && runs < budget; {
		chunk := (len(best) + n - 1) / n
		removed := false
		for start := 0; start < len(best); start += chunk {
			cand := slices.Concat(best[:start], best[min(start+chunk, len(best)):])
			if len(cand) > 0 && try(cand) {
				n = max(n-1, 2)
				removed = true
				break
			}
		}
		if !removed {
			if chunk == 1 {
				break
			}
			n = min(n*2, len(best))
		}
	}
	// Options, one at a time.
	for i := 0; i < len(best) && runs < budget; i++ {
		for j := len(best[i].Args) - 1; j >= 0 && i < len(best) && j < len(best[i].Args); j-- {
			a := best[i].Args[j]
			if !strings.Contains(a, "=") && !strings.HasPrefix(a, "+") {
				continue
			}
			cand := slices.Clone(best)
			cand[i] = Op{Verb: best[i].Verb, Args: slices.Delete(slices.Clone(best[i].Args), j, j+1)}
			try(cand)
		}
	}
	return best, bestFail
}

// ReplayCommand is the one-line command that replays ops on cfg.
func ReplayCommand(cfg Config, ops []Op) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = o.String()
	}
	return fmt.Sprintf("go run ./simtest/cmd/kubesim-sim -config '%s' -ops '%s'", cfg, strings.Join(parts, "; "))
}

// Report describes a failure for a person: the seed and configuration, the
// shrunk sequence, what broke, and the command that replays it.
func Report(cfg Config, generated int, ops []Op, f *Failure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "simtest: seed %d fails: %s\n", cfg.Seed, f.Signature())
	fmt.Fprintf(&b, "config: %s\n", cfg)
	fmt.Fprintf(&b, "shrunk from %d generated ops to %d:\n", generated, len(ops))
	for i, o := range ops {
		fmt.Fprintf(&b, "  %3d  %s\n", i, o)
	}
	msg := f.Error()
	if len(msg) > 4000 {
		msg = msg[:4000] + "\n..."
	}
	fmt.Fprintf(&b, "failure at %s\n", strings.ReplaceAll(msg, "\n", "\n  "))
	fmt.Fprintf(&b, "replay:\n  %s\n", ReplayCommand(cfg, ops))
	return b.String()
}
