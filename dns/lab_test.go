package dns

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// labServer is the cluster of LAB-ch03.md as the cluster DNS sees it: a
// Docker Desktop (kubeadm) CoreDNS, the lab's services, and the outside
// world holding raw.githubusercontent.com.
func labServer() *Server {
	cfg := KubeadmConfig()
	cfg.Clock = fixedClock
	s := NewServer(cfg)
	s.SetUpstream(DefaultUpstream())
	for _, n := range []string{"default", "kube-system", "kube-public", "kube-node-lease"} {
		s.UpsertNamespace(ns(n))
	}
	s.UpsertService(svcClusterIP("default", "kubernetes", []string{"10.96.0.1"}, tcp443))
	s.UpsertService(svcClusterIP("kube-system", "kube-dns", []string{"10.96.0.10"}, udpDNS, tcpDNS, metrics))
	s.UpsertService(svcClusterIP("default", "numbers-web", []string{"10.108.149.146"}, portSpec{"", api.ProtocolTCP, 8080}))
	s.UpsertService(svcClusterIP("default", "sleep-2", []string{"10.111.245.96"}, tcpHTTP))
	s.UpsertService(svcExternal("default", "numbers-api", "raw.githubusercontent.com"))
	s.MarkSynced()
	return s
}

// labHeadless switches numbers-api to the book's "headless" variant: a
// selector-less ClusterIP service with a hand-written Endpoints object (which
// the cluster mirrors to an EndpointSlice).
func labHeadless(s *Server) {
	s.UpsertService(svcClusterIP("default", "numbers-api", []string{"10.106.142.227"}, portSpec{"", api.ProtocolTCP, 80}))
	s.UpsertEndpointSlice(epSlice("default", "numbers-api-mirror", "numbers-api", []portSpec{{"", api.ProtocolTCP, 80}}, epSpec{ip: "192.168.123.234"}))
}

func labPod(name string) *api.Pod {
	p := podObj("default", name, "10.1.0.50", api.PodRunning)
	p.Spec.Containers[0].Image = "kiamol/ch03-sleep"
	return p
}

// grepNotStar is grep "^[^*]": lines with a first character that is not '*'.
func grepNotStar(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if l != "" && l[0] != '*' {
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// labTranscript replays the lab's nslookup commands.
func labTranscript() string {
	s := labServer()
	var b strings.Builder
	api1 := NewStub(s, labPod("numbers-api-6d5f8b5c9-x2x7q"), DefaultClusterDNSConfig())
	b.WriteString("$ kubectl exec deploy/numbers-api -- sh -c 'nslookup numbers-api'\n")
	b.WriteString(api1.Nslookup("numbers-api", epoch).Output)
	labHeadless(s)
	sleep1 := NewStub(s, labPod("sleep-1-5d8f7c9b8-abcde"), DefaultClusterDNSConfig())
	b.WriteString("$ kubectl exec deploy/sleep-1 -- sh -c 'nslookup numbers-api.default.svc.cluster.local | grep \"^[^*]\"'\n")
	b.WriteString(grepNotStar(sleep1.Nslookup("numbers-api.default.svc.cluster.local", epoch).Output))
	b.WriteString("$ kubectl exec deploy/sleep-1 -- sh -c 'nslookup kube-dns.kube-system.svc.cluster.local | grep \"^[^*]\"'\n")
	b.WriteString(grepNotStar(sleep1.Nslookup("kube-dns.kube-system.svc.cluster.local", epoch).Output))
	b.WriteString("$ kubectl exec deploy/sleep-1 -- cat /etc/resolv.conf\n")
	b.WriteString(sleep1.Conf.String())
	return b.String()
}

// TestLabGolden keeps the simulator's transcript of the lab byte-stable.
// Regenerate with go test ./dns -run TestLabGolden -update and review the
// diff before committing.
func TestLabGolden(t *testing.T) {
	const golden = "testdata/lab-ch03-nslookup.golden"
	got := labTranscript()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	if again := labTranscript(); again != got {
		t.Error("transcript is not deterministic")
	}
}

// expandTabs renders tabs as a terminal with 8-column stops does.
func expandTabs(s string) string {
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case '\n':
			b.WriteRune(r)
			col = 0
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// sortAddressPairs orders the "Name:/Address:" pairs inside each reply
// block: a real cluster's answers come in the order its load balancer and
// the outside resolvers chose; the simulator keeps zone order.
func sortAddressPairs(s string) string {
	blocks := strings.Split(s, "\n\n")
	for i, blk := range blocks {
		lines := strings.Split(blk, "\n")
		var head, pairs []string
		for j := 0; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "Name:") && j+1 < len(lines) && strings.HasPrefix(lines[j+1], "Address: ") {
				pairs = append(pairs, lines[j]+"\n"+lines[j+1])
				j++
				continue
			}
			head = append(head, lines[j])
		}
		slices.Sort(pairs)
		blocks[i] = strings.Join(append(head, pairs...), "\n")
	}
	return strings.Join(blocks, "\n\n")
}

// TestLabMatchesRealCluster compares the simulated nslookup with the one the
// learner ran on a real cluster: the same lines in the same order, up to the
// order of addresses inside one reply. The grep'ed outputs are compared with
// runs of blanks folded (the lab's terminal rendered those tabs narrower).
func TestLabMatchesRealCluster(t *testing.T) {
	raw, err := os.ReadFile("testdata/lab-ch03-transcript.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lab []string
	for _, l := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(l, "#") {
			lab = append(lab, l)
		}
	}
	want := strings.Join(lab, "\n")
	got := labTranscript()
	got = got[:strings.Index(got, "$ kubectl exec deploy/sleep-1 -- cat")]
	split := "$ kubectl exec deploy/sleep-1"
	wi, gi := strings.Index(want, split), strings.Index(got, split)
	w1, w2 := want[:wi], want[wi:]
	g1, g2 := expandTabs(got[:gi]), got[gi:]
	if sortAddressPairs(g1) != sortAddressPairs(w1) {
		t.Errorf("nslookup numbers-api differs from the lab:\ngot:\n%s\nlab:\n%s", g1, w1)
	}
	if strings.Join(strings.Fields(g2), " ") != strings.Join(strings.Fields(w2), " ") {
		t.Errorf("grep'ed lookups differ from the lab:\ngot:\n%s\nlab:\n%s", g2, w2)
	}
}
