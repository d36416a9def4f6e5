// Package dns simulates a Kubernetes cluster's DNS: the cluster DNS server,
// with the semantics of CoreDNS's kubernetes plugin and the Kubernetes
// DNS-Based Service Discovery specification, and the stub resolvers pods
// run, with their search domains.
//
// # The server
//
// A [Server] is CoreDNS as kubeadm deploys it: the kubernetes plugin serving
// the cluster zone (cluster.local) and the reverse zones, in front of a
// forwarder to the outside world, an [Upstream]. It sees the cluster only
// through ingest calls made as watch events arrive — UpsertService,
// UpsertEndpointSlice, UpsertPod, UpsertNamespace, their Delete twins and
// MarkSynced — so the caller decides the lag: a service just created is
// NXDOMAIN until its event is delivered, a deleted one lingers until its
// delete is. Endpoints come from EndpointSlices, as CoreDNS reads them;
// only ready endpoints count. The server keeps slim copies of the objects,
// never the API objects themselves.
//
// [Server.Query] answers a question ([Reply]: rcode, flags, answer, authority
// and additional sections of [RR] values whose String is zone-file text).
// It serves every record form of the specification and of CoreDNS:
// service A/AAAA (cluster IPs of each family, or a headless service's ready
// endpoints), endpoint names (hostname, dashed IP, or pod name under
// endpoint_pod_names), SRV for named ports with CoreDNS's weights and glue,
// PTR for cluster and endpoint IPs (in-addr.arpa and nibble ip6.arpa),
// ExternalName CNAMEs chased inside the zone or through the outside world,
// dns-version TXT, apex SOA and NS, and pod names in the disabled, insecure
// and verified modes. NXDOMAIN and NODATA follow CoreDNS's rules, negative
// answers carry the zone's SOA, names match in any case and are echoed as
// asked, and a server not yet synced answers SERVFAIL where it would say
// NXDOMAIN. [Config] holds the options that change answers: ttl, pods,
// endpoint_pod_names, ignore empty_service, noendpoints, namespaces,
// fallthrough, autopath and loadbalance.
//
// Every name the cluster publishes has its answers prebuilt, so a query for
// a lower-case fully qualified name is a map lookup that does not allocate;
// other questions take the reference path, a transcription of the plugin's
// code, and a differential test holds the two together. The server is safe
// for concurrent use; package wire serves it over UDP and TCP.
//
// # The outside world
//
// An [Upstream] is a recursive resolver that knows one zone: records read
// from RFC 1035 zone-file text ([ParseZone]) or added with [Upstream.Add].
// Names it does not hold are NXDOMAIN; names can be made to answer SERVFAIL
// ([Upstream.Fail]) to inject faults. [DefaultUpstream] holds the lab's
// raw.githubusercontent.com.
//
// # Pods
//
// [PodResolvConf] writes a pod's /etc/resolv.conf as kubelet does for its
// dnsPolicy, merges its dnsConfig and trims the result to the limits, with
// kubelet's DNSConfigForming warnings; [ValidatePodDNS] rejects what the API
// server rejects. A [Stub] is a pod's resolver: [Stub.Lookup] runs glibc's
// getaddrinfo (res_search: ndots, as-is first or last, NODATA continues),
// musl's (no search once dots >= ndots, NODATA stops) or busybox nslookup's
// query set, and returns the whole [Path] — every query with its rcode and
// answers, the outcome, the addresses — so the cost of ndots:5 can be
// counted. [Stub.Nslookup] prints exactly what busybox nslookup prints,
// [Stub.Dig] what dig 9.18 prints. A [NodeCache] models NodeLocal DNSCache
// on the virtual clock; autopath runs on the server when configured. Both
// are off by default and show in the path when on.
//
// # Time and order
//
// Nothing reads the wall clock: lookups take the virtual time, the SOA
// serial follows Config.Clock, and anything random (loadbalance, dig's
// query id and cookie) draws from a *rand.Rand the caller supplies. Replies
// reach a client in a modelled order: datagrams leave one microsecond apart,
// and a reply comes back after the round trip plus the server's modelled
// work — 20 µs for a name the zone parser rejects, 25 µs once a namespace
// was looked up, 30 µs for a service, 35 µs for endpoints, plus 10 ms for
// each trip to the outside world — ties in the order sent. This is what
// makes busybox nslookup print the lab's NXDOMAIN replies for
// name.cluster.local before those for name.svc.cluster.local, and both
// before the ExternalName answer.
//
// # Differences from Kubernetes and CoreDNS
//
// Answers, rcodes and printed output follow the sources named in the
// project's DNS.md. These are the places where the simulator knowingly
// differs, each with its reason:
//
//   - Record order is fixed: endpoint slices by name, endpoints in slice
//     order, ports in spec order, outside records in zone order. CoreDNS's
//     order comes from its informer's indexes and, in kubeadm's Corefile,
//     the loadbalance plugin shuffles A and AAAA records; set
//     Config.LoadBalance to model that with a seeded source. The lab's
//     transcript matches up to the order of addresses inside one reply.
//   - CoreDNS's cache plugin (kubeadm: cache 30) is not modelled in the
//     cluster DNS: every query is answered fresh. NodeLocal DNSCache is
//     modelled (NodeCache).
//   - The forward plugin is a model: one recursive resolver that always
//     answers (no timeouts, retries, health checks or upstream selection),
//     negative answers carry an SOA only when the zone holds one, a CNAME
//     loop answers SERVFAIL.
//   - Latencies and Path.Elapsed are modelled costs, not measurements.
//   - Not modelled: the multicluster, zonal, namespace_labels, labels,
//     terminating_endpoints and startup_timeout options, zone transfers
//     (AXFR and IXFR are always REFUSED, as without the transfer plugin),
//     DNSSEC, and the ready, health, loop, reload and prometheus plugins.
//     EndpointSlices of address type FQDN are ignored.
//   - Before its first sync CoreDNS delays start-up by up to 5 s; the
//     simulator serves at once, answering SERVFAIL for would-be NXDOMAIN
//     until MarkSynced, as CoreDNS does after that delay.
//   - The SOA serial is the virtual clock's Unix time of the last change
//     (Config.Clock), or a change counter without a clock; CoreDNS uses the
//     wall clock.
//   - CoreDNS finds its own pod addresses (for the apex NS records) on its
//     interfaces; here they are Config.LocalIPs or SetLocalIPs, 127.0.0.1
//     when unset.
//   - A service whose cluster IP is not an address (not allocated yet) has
//     no addresses here; CoreDNS would turn the empty string into a CNAME.
//   - kubelet merges dnsConfig options through a Go map, so their order in
//     resolv.conf varies between runs; here the base order is kept and new
//     options follow in dnsConfig order. resolv.conf is laid out as
//     containerd and CRI-O write it (search, nameserver, options).
//   - Search domains are validated with the strict DNS-1123 rule of
//     Kubernetes 1.28 (the lab's version), not the relaxed rule of
//     RelaxedDNSSearchValidation (beta in 1.33). An empty dnsPolicy is
//     read as ClusterFirst, the API default.
//   - Stub resolvers do not read /etc/hosts (a pod's own hostname and
//     localhost resolve there in a real pod), ask only the first
//     nameserver (no rotate, attempts or failover; a loopback or missing
//     nameserver times out after a fixed 5 s), do not fall back to TCP, and
//     return addresses in answer order, A before AAAA, without getaddrinfo's
//     RFC 6724 sorting.
//   - The musl modelled is 1.2.4 or later: NODATA ends a lookup with
//     EAI_NODATA. musl 1.2.3 and older (Alpine 3.17 and older, the lab's
//     3.15 among them) stop the same way but report EAI_NONAME.
//   - busybox nslookup is modelled as 1.34 and later, which print an empty
//     NODATA reply as a blank line; NslookupOptions.NoAnswerLine gives
//     1.30-1.33's "*** Can't find NAME: No answer". Replies print in the
//     modelled arrival order; a real run's order depends on the network.
//   - dig prints what 9.18 prints for the flags DigOptions offers; the
//     query id and cookie come from DigOptions.Rand (without it: id 0 and
//     no COOKIE line, as with +nocookie), "Query time" from the model.
//   - The wire server refuses classes other than IN; CoreDNS would pass
//     them to plugins such as chaos.
//
// CoreDNS behaviours that look like bugs are kept, because a real cluster
// shows them: dns-version answers only TXT (NXDOMAIN otherwise); TXT at the
// apex, svc. or <ns>.svc. is NXDOMAIN; SOA below the apex is NODATA even for
// names that do not exist; ns.dns.<zone> resolves only when the zone is
// asked in lower case; the two labels left of a service are always a port
// and a protocol with optional underscores, and "_" alone matches any;
// an ExternalName whose in-zone target does not resolve is NODATA without
// the CNAME; autopath answers SERVFAIL for the pod's first search domain
// itself and puts a second CNAME in front of an ExternalName answer; the
// reverse zones' NS names end in the reverse zone
// (kube-dns.kube-system.svc.in-addr.arpa.).
package dns
