package podnet_test

import (
	"io"
	"strings"
	"testing"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/podnet"
)

// FuzzExec runs arbitrary command lines through every program: none may
// panic, and a program the image has must report itself found.
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"curl -s http://numbers-api/rng", "curl -sSfiI -H 'Host: x' -m 1 --connect-timeout=0.5 -o - a b",
		"curl -o", "curl -H", "curl --max-time nan x", "curl http://[::1", "curl http://x:99999/", "curl https://kubernetes/",
		"wget -qO- numbers-web:8080", "wget -T", "wget -O", "wget --header=Host:x -S --spider sleep-2", "wget -qO- [fe80::1]:80",
		"ping -c 2 sleep-2", "ping -c", "ping -c -1 x", "ping -c 100000 x", "ping -W 0 -c 1 192.0.2.1", "ping -c1 ::1",
		"nslookup", "nslookup a b c", "nslookup numbers-api nope", "nslookup 10.96.0.10",
		"dig", "dig -x", "dig -x nope", "dig -t", "dig @ x", "dig a b c", "dig numbers-api SRV IN +tcp",
		"cat /etc/../etc/resolv.conf", "cat", "cat -", "cat /etc/hosts /etc/hostname",
	} {
		f.Add(s)
	}
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.Apply([]byte(sleepAndWeb)); err != nil {
		f.Fatal(err)
	}
	c.Settle()
	env := newEnv(c)
	pod := kubesim.ListOf[*api.Pod](c, "default", api.SelectorFromSet(map[string]string{"app": "sleep"}))[0]
	f.Fuzz(func(t *testing.T, line string) {
		argv := strings.Fields(line)
		if len(argv) == 0 {
			return
		}
		_, ok := env.Exec(pod, "sleep", argv, "", io.Discard, io.Discard)
		switch argv[0] {
		case "curl", "wget", "ping", "nslookup":
			if !ok {
				t.Errorf("%s not found in the sleep image", argv[0])
			}
		}
	})
}

// newEnv returns the network tools of c's pods.
func newEnv(c *kubesim.Cluster) *podnet.Env { return podnet.New(c) }
