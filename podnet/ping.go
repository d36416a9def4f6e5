package podnet

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
)

// maxPings bounds -c, so that a typo cannot print millions of lines.
const maxPings = 10000

const pingUsage = `Usage: ping [OPTIONS] HOST

Send ICMP ECHO_REQUESTs to HOST

	-4,-6		Force IP or IPv6 name resolution
	-c CNT		Send only CNT pings
	-q		Quiet, only display output at start/finish
	-W SEC		Seconds to wait for the first response (default 10)
`

// echo is how a host answers ICMP echo requests: whether it does, the TTL
// its replies arrive with, and the range its round trips fall in.
type echo struct {
	replies  bool
	ttl      int
	min, max time.Duration
}

// ping is busybox ping: -c COUNT (required here: without it ping runs until
// interrupted, which kubesim cannot do), -q, -W SEC and -4. Requests go
// straight to the address: kube-proxy forwards only the TCP, UDP and SCTP
// ports a Service declares, so a cluster IP does not answer ICMP (except in
// IPVS mode, where the node holds every cluster IP on its kube-ipvs0
// interface and answers itself). Pods, nodes and the outside world's hosts
// answer, with round trips drawn from the pinging pod's stream.
func (x *execution) ping(args []string) int {
	count, quiet, wait := -1, false, 10*time.Second
	var host string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			if host != "" {
				fmt.Fprint(x.stderr, pingUsage)
				return 1
			}
			host = a
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch c {
			case 'q':
				quiet = true
			case '4':
			case 'c', 'W':
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						fmt.Fprintf(x.stderr, "ping: option requires an argument -- '%c'\n%s", c, pingUsage)
						return 1
					}
					i++
					v = args[i]
				}
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					fmt.Fprintf(x.stderr, "ping: invalid number '%s'\n", v)
					return 1
				}
				if c == 'c' {
					count = n
				} else {
					wait = time.Duration(n) * time.Second
				}
				j = len(a)
			default:
				fmt.Fprintf(x.stderr, "ping: unrecognized option: %c\n%s", c, pingUsage)
				return 1
			}
		}
	}
	if host == "" {
		fmt.Fprint(x.stderr, pingUsage)
		return 1
	}
	switch {
	case count < 0:
		fmt.Fprintln(x.stderr, "ping: kubesim needs -c COUNT: busybox ping runs until it is interrupted, and kubesim cannot interrupt it")
		return 1
	case count > maxPings:
		fmt.Fprintf(x.stderr, "ping: kubesim's ping sends at most %d packets\n", maxPings)
		return 1
	case count == 0:
		// busybox treats -c 0 as "until interrupted" too.
		fmt.Fprintln(x.stderr, "ping: kubesim needs -c COUNT of 1 or more")
		return 1
	}
	var t Trace
	addr, ok := x.resolve(host, &t)
	if !ok {
		fmt.Fprintf(x.stderr, "ping: bad address '%s'\n", host)
		return 1
	}
	fmt.Fprintf(x.stdout, "PING %s (%s): 56 data bytes\n", host, addr)
	if _, ok := podAddr(x.pod, addr); !ok {
		fmt.Fprintln(x.stderr, "ping: sendto: Network is unreachable")
		return 1
	}
	ech := x.e.echoFrom(x.pod, addr)
	rnd := x.e.stream(x.pod)
	var times []time.Duration
	for seq := range count {
		if !ech.replies {
			continue
		}
		rtt := ech.min + time.Duration(rnd.Int64N(int64(ech.max-ech.min)+1))
		rtt = rtt.Truncate(time.Microsecond)
		times = append(times, rtt)
		if !quiet {
			fmt.Fprintf(x.stdout, "64 bytes from %s: seq=%d ttl=%d time=%s ms\n", addr, seq, ech.ttl, millis(rtt))
		}
	}
	// One request a second; then busybox waits for the last reply, or up
	// to -W seconds when none came.
	elapsed := time.Duration(count-1) * time.Second
	if len(times) > 0 {
		elapsed += times[len(times)-1]
	} else {
		elapsed += wait
	}
	x.e.advance(elapsed)
	fmt.Fprintf(x.stdout, "\n--- %s ping statistics ---\n", host)
	fmt.Fprintf(x.stdout, "%d packets transmitted, %d packets received, %d%% packet loss\n",
		count, len(times), (count-len(times))*100/count)
	if len(times) == 0 {
		return 1
	}
	lo, hi, sum := times[0], times[0], time.Duration(0)
	for _, d := range times {
		lo, hi, sum = min(lo, d), max(hi, d), sum+d
	}
	avg := (sum / time.Duration(len(times))).Truncate(time.Microsecond)
	fmt.Fprintf(x.stdout, "round-trip min/avg/max = %s/%s/%s ms\n", millis(lo), millis(avg), millis(hi))
	return 0
}

// millis prints a duration in milliseconds with three decimals, as busybox
// does ("0.059").
func millis(d time.Duration) string {
	us := d.Microseconds()
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// echoFrom says how address a answers pings from pod p.
func (e *Env) echoFrom(p *api.Pod, a netip.Addr) echo {
	local := echo{replies: true, ttl: 64, min: 20 * time.Microsecond, max: 60 * time.Microsecond}
	sameNode := echo{replies: true, ttl: 64, min: 40 * time.Microsecond, max: 150 * time.Microsecond}
	otherNode := echo{replies: true, ttl: 62, min: 300 * time.Microsecond, max: 900 * time.Microsecond}
	peer := e.peerAt(a, p)
	switch peer.Kind {
	case PeerSelf:
		return local
	case PeerPod:
		if peer.pod.Spec.NodeName == p.Spec.NodeName {
			return sameNode
		}
		return otherNode
	case PeerNode:
		if peer.Name == p.Spec.NodeName {
			return local
		}
		otherNode.ttl = 63
		return otherNode
	case PeerOutside:
		return echo{replies: true, ttl: 57, min: rttOutside, max: 2 * rttOutside}
	}
	if e.inServiceCIDR(a) && e.Cluster.Config().Proxy.Mode == proxy.ModeIPVS && e.isClusterIP(a) {
		return local
	}
	return echo{}
}

// isClusterIP reports whether a service holds a as a cluster IP.
func (e *Env) isClusterIP(a netip.Addr) bool {
	for _, s := range kubesim.ListOf[*api.Service](e.Cluster, "", api.Everything()) {
		for _, ip := range s.Spec.ClusterIPs {
			if ip == a.String() {
				return true
			}
		}
		if s.Spec.ClusterIP == a.String() {
			return true
		}
	}
	return false
}
