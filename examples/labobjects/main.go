// Command labobjects replays the object side of the chapter 3 lab
// (examples/ch03) through kubesim's Go API: it applies the lab's manifests,
// steps virtual time, and prints what `kubectl get` would show at each step.
//
//	go run ./examples/labobjects
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

func main() {
	if err := run(filepath.Join("examples", "ch03"), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "labobjects:", err)
		os.Exit(1)
	}
}

// run replays the lab with the manifests in dir, writing to w.
func run(dir string, w io.Writer) error {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		return err
	}
	apply := func(files ...string) error {
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "$ kubectl apply -f %s\n", f)
			res, err := c.Apply(b)
			if err != nil {
				return err
			}
			for _, r := range res {
				fmt.Fprintln(w, r)
			}
		}
		return c.Settle()
	}
	show := func(ns, name string) error {
		s, err := kubesim.Get[*api.Service](c, ns, name)
		if err != nil {
			return err
		}
		ip := s.Spec.ClusterIP
		if ip == "" {
			ip = "<none>"
		}
		var ports []string
		for _, p := range s.Spec.Ports {
			if p.NodePort != 0 {
				ports = append(ports, fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol))
			} else {
				ports = append(ports, fmt.Sprintf("%d/%s", p.Port, p.Protocol))
			}
		}
		fmt.Fprintf(w, "service %s/%s: %s %s %s\n", ns, name, s.Spec.Type, ip, strings.Join(ports, ","))
		return nil
	}
	endpoints := func(name string) error {
		ep, err := kubesim.Get[*api.Endpoints](c, "default", name)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "endpoints default/%s: %s\n", name, controller.FormatEndpoints(ep.Subsets))
		return nil
	}
	del := func(ref api.Ref) error {
		fmt.Fprintf(w, "$ kubectl delete %s %s\n", strings.ToLower(string(ref.Kind)), ref.Name)
		if err := c.Delete(ref); err != nil {
			return err
		}
		// A learner takes a moment before the next command; controllers act meanwhile.
		c.Advance(time.Second)
		return nil
	}
	steps := []func() error{
		func() error { return show("default", "kubernetes") },
		func() error { return show("kube-system", "kube-dns") },
		func() error {
			return apply("sleep/sleep1.yaml", "sleep/sleep2.yaml", "sleep/sleep2-service.yaml",
				"numbers/api.yaml", "numbers/web.yaml", "numbers/api-service.yaml", "numbers/web-service.yaml")
		},
		func() error { return show("default", "numbers-web") },
		func() error { return del(api.Ref{Kind: api.KindService, Namespace: "default", Name: "numbers-api"}) },
		func() error { return apply("numbers-services/api-service-externalName.yaml") },
		func() error { return show("default", "numbers-api") },
		func() error { return del(api.Ref{Kind: api.KindService, Namespace: "default", Name: "numbers-api"}) },
		func() error { return apply("numbers-services/api-service-headless.yaml") },
		func() error { return show("default", "numbers-api") },
		func() error { return endpoints("numbers-api") },
		func() error { return endpoints("sleep-2") },
		func() error {
			sel := api.SelectorFromSet(map[string]string{"app": "sleep-2"})
			for _, p := range kubesim.ListOf[*api.Pod](c, "default", sel) {
				if err := del(api.RefOf(p)); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return endpoints("sleep-2") },
		func() error { return del(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: "sleep-2"}) },
		func() error { return c.Settle() },
		func() error { return endpoints("sleep-2") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "virtual time: %s, trace %d entries, hash %s\n", c.Now().Sub(kubesim.DefaultStart), c.Trace().Len(), c.TraceHash())
	return nil
}
