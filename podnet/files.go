package podnet

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// cat prints one of the files kubelet writes into every container:
// /etc/resolv.conf, /etc/hosts and /etc/hostname. Anything else does not
// exist in a simulated container.
func (x *execution) cat(name string) int {
	content, ok := x.file(name)
	if !ok {
		fmt.Fprintf(x.stderr, "cat: can't open '%s': No such file or directory\n", name)
		return 1
	}
	fmt.Fprint(x.stdout, content)
	return 0
}

// file returns the content of a file kubelet manages in the pod.
func (x *execution) file(name string) (string, bool) {
	switch cleanPath(name) {
	case "/etc/resolv.conf":
		st, err := x.stub()
		if err != nil {
			return "", false
		}
		return st.Conf.String(), true
	case "/etc/hosts":
		return hostsFile(x.pod, x.e.Cluster.Config().ClusterDomain), true
	case "/etc/hostname":
		return hostname(x.pod) + "\n", true
	}
	return "", false
}

// cleanPath resolves a path the way the container's root would see it;
// relative paths start at /, the working directory of kubectl exec.
func cleanPath(name string) string {
	parts := []string{}
	for _, s := range strings.Split(name, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, s)
		}
	}
	return "/" + strings.Join(parts, "/")
}

// hostsFile is the /etc/hosts kubelet writes for a pod that is not on the
// host network (managedHostsFileContent): the loopback and IPv6 entries,
// then the pod's own addresses with its hostname, fully qualified first when
// it has a subdomain.
func hostsFile(p *api.Pod, domain string) string {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file.\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	name := hostname(p)
	names := name
	if p.Spec.Subdomain != "" && p.Spec.Hostname != "" {
		names = fmt.Sprintf("%s.%s.%s.svc.%s\t%s", name, p.Spec.Subdomain, p.Namespace, domain, name)
	}
	ips := []string{}
	for _, ip := range p.Status.PodIPs {
		ips = append(ips, ip.IP.String())
	}
	if len(ips) == 0 && p.Status.PodIP.IsValid() {
		ips = append(ips, p.Status.PodIP.String())
	}
	for _, ip := range ips {
		fmt.Fprintf(&b, "%s\t%s\n", ip, names)
	}
	return b.String()
}
