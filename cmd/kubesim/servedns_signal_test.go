//go:build unix

package main

import (
	"bytes"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// announceWriter is a stdout that tells the test when the server has said
// where it listens.
type announceWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	ready chan string
}

func (w *announceWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if s := w.b.String(); strings.HasPrefix(s, "listening on ") && strings.HasSuffix(s, "\n") && w.ready != nil {
		w.ready <- strings.TrimSpace(strings.TrimPrefix(s, "listening on "))
		w.ready = nil
	}
	return len(p), nil
}

// TestServeDNSRunsUntilSignal runs the whole command: it announces the
// address it bound, keeps serving after stdin's end, and exits 0 on SIGINT
// and on SIGTERM.
func TestServeDNSRunsUntilSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ready := make(chan string, 1)
			stdout := &announceWriter{ready: ready}
			var stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				// The empty stdin is at EOF from the start.
				done <- run([]string{"serve-dns", "--listen", "127.0.0.1:0", "-f", lab("sleep")}, strings.NewReader(""), stdout, &stderr)
			}()
			var addr string
			select {
			case addr = <-ready:
			case code := <-done:
				t.Fatalf("exited %d before serving: %s", code, stderr.String())
			case <-time.After(30 * time.Second):
				t.Fatal("no address announced after 30s")
			}
			// Still serving, stdin's EOF notwithstanding.
			time.Sleep(50 * time.Millisecond)
			r := exchange(t, addr, "udp", "sleep-2.default.svc.cluster.local", mdns.TypeA)
			if len(r.Answer) != 1 {
				t.Fatalf("answer: %v", r)
			}
			select {
			case code := <-done:
				t.Fatalf("exited %d without a signal", code)
			default:
			}
			// The handler is installed before the address is announced,
			// so the signal reaches it rather than killing the test.
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case code := <-done:
				if code != 0 || stderr.Len() != 0 {
					t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatal("still running 10s after the signal")
			}
			c := &mdns.Client{Net: "udp", Timeout: 300 * time.Millisecond}
			m := new(mdns.Msg)
			m.SetQuestion("sleep-2.default.svc.cluster.local.", mdns.TypeA)
			if _, _, err := c.Exchange(m, addr); err == nil {
				t.Error("still answering after the signal")
			}
		})
	}
}
