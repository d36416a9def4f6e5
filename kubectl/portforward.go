package kubectl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
)

var portForwardCommand = &command{
	name:  "port-forward",
	short: "Forward one or more local ports to a pod",
	usage: "kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]",
	notes: "kubesim prints the lines kubectl prints when forwarding starts and returns at once: a\n" +
		"script cannot block, and no local port is opened. The pod is chosen as kubectl chooses it,\n" +
		"and a service port is translated to the pod's target port. A local port left out (:80)\n" +
		"is picked from 47000 upwards rather than at random.",
	flags: []flagDef{
		{long: "address", kind: stringsFlag, def: "localhost", usage: "Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value."},
		{long: "pod-running-timeout", kind: durationFlag, def: "1m0s", usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"},
	},
	run: runPortForward,
}

// runPortForward resolves the pod and ports as kubectl does and prints the
// lines it prints once listening.
func runPortForward(c *call) error {
	if len(c.args) < 2 {
		return &usageError{msg: "TYPE/NAME and list of ports are required for port-forward", path: c.path}
	}
	pod, err := c.attachablePod(c.args[0], c.flags.duration("pod-running-timeout"))
	if err != nil {
		return err
	}
	if pod.Status.Phase != api.PodRunning {
		return fmt.Errorf("unable to forward port because pod is not running. Current status=%s", pod.Status.Phase)
	}
	var svc *api.Service
	if typ, name, ok := strings.Cut(c.args[0], "/"); ok {
		if info, err := lookupResource(typ); err == nil && info.Kind == api.KindService {
			o, err := c.r.Cluster.GetObject(api.Ref{Kind: api.KindService, Namespace: c.ns, Name: name})
			if err != nil {
				return err
			}
			svc = o.(*api.Service)
		}
	}
	addrs := c.flags.strs("address")
	if len(addrs) == 0 {
		addrs = []string{"localhost"}
	}
	next := 47000
	type forward struct{ local, remote uint64 }
	var fws []forward
	for _, spec := range c.args[1:] {
		localStr, remoteStr, hasLocal := strings.Cut(spec, ":")
		if !hasLocal {
			remoteStr = localStr
		}
		remote, err := strconv.ParseUint(remoteStr, 10, 16)
		if err != nil || remote == 0 {
			return fmt.Errorf("Error parsing remote port '%s': %v", remoteStr, portError(err))
		}
		local := remote
		switch {
		case hasLocal && localStr == "":
			local = uint64(next)
			next++
		case hasLocal:
			if local, err = strconv.ParseUint(localStr, 10, 16); err != nil {
				return fmt.Errorf("Error parsing local port '%s': %v", localStr, err)
			}
		}
		if svc != nil {
			p, err := targetPort(svc, pod, int(remote))
			if err != nil {
				return err
			}
			remote = uint64(p)
		}
		fws = append(fws, forward{local, remote})
	}
	for _, f := range fws {
		for _, a := range addrs {
			hosts := []string{a}
			if a == "localhost" {
				hosts = []string{"127.0.0.1", "[::1]"}
			} else if strings.Contains(a, ":") {
				hosts = []string{"[" + a + "]"}
			}
			for _, h := range hosts {
				fmt.Fprintf(c.stdout, "Forwarding from %s:%d -> %d\n", h, f.local, f.remote)
			}
		}
	}
	return nil
}

func portError(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("remote port must be > 0")
}

// targetPort translates a service port to the pod port it targets, as
// kubectl port-forward svc/NAME does.
func targetPort(svc *api.Service, pod *api.Pod, port int) (int, error) {
	for _, sp := range svc.Spec.Ports {
		if int(sp.Port) != port {
			continue
		}
		if !sp.TargetPort.IsString {
			if sp.TargetPort.IntVal == 0 {
				return port, nil
			}
			return int(sp.TargetPort.IntVal), nil
		}
		for _, c := range pod.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == sp.TargetPort.StrVal {
					return int(cp.ContainerPort), nil
				}
			}
		}
		return 0, fmt.Errorf("Pod '%s' does not have a named port '%s'", pod.Name, sp.TargetPort.StrVal)
	}
	return 0, fmt.Errorf("Service %s does not have a service port %d", svc.Name, port)
}
