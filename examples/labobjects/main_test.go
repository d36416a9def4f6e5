package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var a, b bytes.Buffer
	dir := filepath.Join("..", "ch03")
	if err := run(dir, &a); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, &b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("two runs printed different output")
	}
	for _, want := range []string{
		"service default/kubernetes: ClusterIP 10.96.0.1 443/TCP",
		"service kube-system/kube-dns: ClusterIP 10.96.0.10 53/UDP,53/TCP,9153/TCP",
		"service default/numbers-api: ExternalName <none>",
		"endpoints/numbers-api created",
		"endpoints default/numbers-api: 192.168.123.234:80",
		"endpoints default/sleep-2: <none>",
	} {
		if !strings.Contains(a.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, a.String())
		}
	}
}
