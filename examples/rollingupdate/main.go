// Command rollingupdate replays a rolling update under steady traffic and
// counts the requests that kube-proxy still sends to pods on their way out.
//
// A Deployment of 4 replicas sits behind a ClusterIP Service on a cluster of
// 3 nodes. Every virtual 100ms, a client pod on each node opens a connection
// to the Service's cluster IP, routed by that node's kube-proxy rules
// (Cluster.Route). The Deployment's image then changes, and the rollout
// replaces the pods one by one. Each request's endpoint is checked against
// the cluster's state at that instant: it reached a pod that is
// terminating, or one that no longer exists, when the node's rules have not
// caught up with the pod's deletion yet. That is the propagation window:
// endpointslice controller, then kube-proxy's watch, then its next sync.
//
// A pod without a preStop hook gets SIGTERM the moment it is deleted, so
// every request that lands in the window fails. The second run gives the
// container `lifecycle.preStop.sleep.seconds: 5`: the window is as long as
// before, but the pod keeps serving through it and only gets SIGTERM after
// every node has stopped sending to it, so no request fails.
//
// The program prints both runs as tables, one row per virtual second, and
// draws them as an SVG line chart (stdlib only):
//
//	go run ./examples/rollingupdate -svg rollingupdate.svg
//
// Output is the same for the same -seed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	svg := flag.String("svg", "rollingupdate.svg", "where to write the SVG chart")
	seed := flag.Uint64("seed", 1, "seed of the simulated cluster")
	flag.Parse()
	if err := run(os.Stdout, *svg, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "rollingupdate:", err)
		os.Exit(1)
	}
}

// run simulates both rollouts, prints them to w and writes the chart to
// svgPath.
func run(w io.Writer, svgPath string, seed uint64) error {
	runs := make([]*result, 0, 2)
	for _, preStop := range []int64{0, 5} {
		r, err := simulate(seed, preStop)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	printHeader(w, seed)
	for _, r := range runs {
		r.print(w)
	}
	f, err := os.Create(svgPath)
	if err != nil {
		return err
	}
	if err := writeSVG(f, runs); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(w, "chart written to %s\n", svgPath)
	return nil
}
