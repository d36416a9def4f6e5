// Package podnet provides the network tools of simulated pods: what
// `kubectl exec POD -- nslookup|dig|ping|wget|curl|cat /etc/resolv.conf`
// runs inside a kubesim cluster.
//
// An Env implements kubectl.ExecEnv over a *kubesim.Cluster:
//
//	r := kubectl.New(cluster)
//	r.Exec = podnet.New(cluster)
//
// Every program works the way the real one does in a real pod, and prints
// what it prints:
//
//   - nslookup NAME [SERVER] is busybox's (dns.Stub.Nslookup): every search
//     domain, replies in arrival order, busybox's exit status.
//   - dig [@SERVER] NAME [TYPE] [+short] [+search] [+tcp] is BIND's
//     (dns.Stub.Dig); -x ADDR asks for a PTR.
//   - cat /etc/resolv.conf prints the file kubelet wrote for the pod;
//     /etc/hosts and /etc/hostname are there too.
//   - ping -c N HOST is busybox's. Names resolve through the pod's resolver.
//     kube-proxy forwards only the TCP, UDP and SCTP ports a Service
//     declares, so a cluster IP never answers ICMP (the 100% packet loss of
//     the book's exercise), except in IPVS mode where the node holds the
//     address. Pods, nodes and the outside world's hosts answer, with round
//     trips drawn from the pinging pod's random stream.
//   - wget [-q] -O- URL is busybox's, curl [-s] URL is curl's. The host
//     resolves through the pod's resolver (getaddrinfo of the image's C
//     library); the connection leaves from the pod's address and an
//     ephemeral port drawn from its stream, and its node's kube-proxy rules
//     decide where it goes (kubesim.Cluster.Explain). A packet DNATed to a
//     pod reaches that pod, which answers if its image listens on the port
//     and refuses otherwise; kube-proxy's REJECT (a Service without
//     endpoints) refuses; a DROP, or an address nothing holds (the book's
//     192.168.123.234 endpoint), times out after the kernel's 127 s; an
//     address of the pod network no pod holds fails with "No route to host".
//     The messages and exit statuses are busybox wget's and curl's.
//
// Env.Trace follows one request hop by hop — the DNS queries and answers, the
// packet, the node's decision with the rules walked, what it reached and the
// answer — for `kubesim trace`.
//
// # Images
//
// Which programs a container has depends on its image (ImageFor; override
// Env.Images for your own): kiamol/ch03-sleep is Alpine with busybox and
// curl; the numbers API and web images have busybox but no curl; CoreDNS has
// no programs at all. A program the image lacks is not found, as the
// container runtime reports it. An image podnet does not know is taken to be
// Alpine-like, with busybox's tools.
//
// # Servers
//
// What answers HTTP is simulated and deliberately simple:
//
//   - A pod answers on the ports its image listens on (for an unknown
//     image, the ports its container declares, or any port if it declares
//     none) with 200 and a body naming itself, "NAME (IP)", so that repeated
//     requests show kube-proxy's load balancing.
//   - kiamol/ch03-numbers-api answers GET /rng, and the path of the book's
//     static file (/sixeyed/kiamol/master/ch03/numbers/rng), with a random
//     integer 0-99 from the answering pod's stream, as the real API does with
//     Random.Next(0, 100).
//   - kiamol/ch03-sleep listens on nothing: a request to it is refused.
//   - The outside world (the hosts of the cluster DNS's upstream zone, such as
//     raw.githubusercontent.com) answers ports 80 and 443. For a Host header
//     it knows it returns a fixed body that says it is simulated; the book's
//     static file at raw.githubusercontent.com holds 42. A Host header it
//     does not know, as sent through an ExternalName Service, gets 404: the
//     Host-header problem the book warns about.
//   - A node answers on 6443, the API server: 403 for an anonymous https
//     request, 400 for plain http. kube-proxy's health-check node ports
//     answer as kube-proxy does.
//
// # Time and randomness
//
// Programs take virtual time, so a script's ages stay right: a lookup its
// modelled latency, a ping one second a packet, a connection that nobody
// answers 127 s. All randomness comes from one stream per pod, seeded from
// the cluster's seed and the pod's namespace and name. The same calls on the
// same cluster print the same bytes.
//
// # Differences from real pods
//
//   - TLS is not simulated: https:// is served as plain HTTP on port 443,
//     certificates are never checked, and curl never fails a handshake.
//   - Headers are printed with \n, not the \r\n on the wire (curl -i).
//   - curl is 7.80 (the sleep image's Alpine 3.15): connect errors end in the
//     system's text ("Connection refused"); images known to ship curl 8
//     print "Couldn't connect to server" instead. Its progress meter shows
//     only its final line, and wget's bar is busybox's for a transfer under a
//     second on a non-terminal; both are what a finished transfer leaves.
//   - ping requires -c: busybox ping runs until interrupted, which kubesim
//     cannot do. TTLs (64 on a node, 62 across nodes, 57 outside) and round
//     trips are plausible fixed ranges, not measurements.
//   - Clients connect to the first IPv4 address a name has, as busybox (built
//     to prefer IPv4) does, and as curl ends up doing in an IPv4-only pod;
//     curl's Happy Eyeballs attempt at IPv6 is not shown.
//   - Connections are not closed: each request leaves a conntrack entry on
//     the node, as a real TIME_WAIT flow would for a while.
//   - nslookup takes no options (-type=, -debug), dig only those listed
//     above; images with BIND's nslookup (netshoot, dnsutils) print busybox's
//     format here.
//   - Files other than /etc/resolv.conf, /etc/hosts and /etc/hostname do not
//     exist, and nothing can be written: wget must write to standard output.
package podnet
