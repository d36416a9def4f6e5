package podnet

import (
	"strings"

	"github.com/kubesim/kubesim/dns"
)

// Tools is a set of network programs an image holds.
type Tools uint8

// The programs podnet provides. Busybox is what an Alpine image's busybox
// links: its own nslookup client, ping, wget and cat.
const (
	Nslookup Tools = 1 << iota
	Dig
	Ping
	Wget
	Curl
	Cat

	Busybox = Nslookup | Ping | Wget | Cat
)

// Has reports whether every tool of u is in t.
func (t Tools) Has(u Tools) bool { return t&u == u }

// App is how an image answers HTTP.
type App string

// The applications podnet simulates.
const (
	// AppEcho answers every request with 200 and a body naming the pod and
	// its IP, such as "numbers-api-7c599bfcf6-fd4qz (10.1.0.33)", so that
	// repeated requests show which endpoint each one reached.
	AppEcho App = "echo"
	// AppNumbersAPI is kiamol/ch03-numbers-api: GET /rng (and the path of the
	// static file on GitHub that the book's ExternalName exercise reaches,
	// /sixeyed/kiamol/master/ch03/numbers/rng) answers a random integer 0-99,
	// drawn from the answering pod's seeded stream; other paths echo.
	AppNumbersAPI App = "numbers-api"
	// AppCoreDNS is CoreDNS: /health on 8080 and /ready on 8181 answer OK;
	// port 53 speaks DNS, not HTTP, so an HTTP client gets an empty reply.
	AppCoreDNS App = "coredns"
)

// Image is what podnet knows of a container image: its network tools, its
// C library, and the server it runs.
type Image struct {
	// Tools are the network programs in the image.
	Tools Tools
	// Libc is the C library whose getaddrinfo ping, wget and curl use; ""
	// keeps the guess of dns.ResolverForImage.
	Libc dns.Resolver
	// Ports are the TCP ports the image's server listens on. nil means the
	// ports the container declares, or every port when it declares none (an
	// unknown image is assumed to serve); empty and not nil means none.
	Ports []int32
	// App is how the server answers; "" means AppEcho.
	App App
	// Server is the HTTP Server header, if the server sends one.
	Server string
	// Curl8 says the image's curl is 8.0 or later, whose connect errors end
	// in "Couldn't connect to server" rather than the system's error text.
	Curl8 bool
}

// images are the images podnet knows, by repository (registry and tag
// stripped): the book's images as LAB-ch03-details.md §0 describes them, and
// the usual debugging images.
var images = map[string]Image{
	// alpine:3.15 plus curl 7.80 (the image was rebuilt in December 2021)
	// and jq; its shell sleeps and listens on nothing.
	"kiamol/ch03-sleep": {Tools: Busybox | Curl, Libc: dns.Musl, Ports: []int32{}},
	// .NET 6 on Alpine: busybox but no curl; Kestrel on :80.
	"kiamol/ch03-numbers-api":             {Tools: Busybox, Libc: dns.Musl, Ports: []int32{80}, App: AppNumbersAPI, Server: "Kestrel"},
	"kiamol/ch03-numbers-web":             {Tools: Busybox, Libc: dns.Musl, Ports: []int32{80}, Server: "Kestrel"},
	"busybox":                             {Tools: Busybox, Libc: dns.Glibc, Ports: []int32{}},
	"alpine":                              {Tools: Busybox, Libc: dns.Musl, Ports: []int32{}},
	"curlimages/curl":                     {Tools: Busybox | Curl, Libc: dns.Musl, Ports: []int32{}, Curl8: true},
	"nicolaka/netshoot":                   {Tools: Busybox | Dig | Curl, Libc: dns.Musl, Ports: []int32{}, Curl8: true},
	"tutum/dnsutils":                      {Tools: Nslookup | Dig | Ping | Cat, Libc: dns.Glibc, Ports: []int32{}},
	"e2e-test-images/jessie-dnsutils":     {Tools: Nslookup | Dig | Ping | Cat, Libc: dns.Glibc, Ports: []int32{}},
	"kubernetes-e2e-test-images/dnsutils": {Tools: Nslookup | Dig | Ping | Cat, Libc: dns.Glibc, Ports: []int32{}},
	// CoreDNS images are built FROM scratch: no programs at all.
	"coredns/coredns": {Libc: dns.Glibc, Ports: []int32{53, 8080, 8181, 9153}, App: AppCoreDNS},
	"coredns":         {Libc: dns.Glibc, Ports: []int32{53, 8080, 8181, 9153}, App: AppCoreDNS},
	"nginx":           {Tools: Curl | Cat, Libc: dns.Glibc, Ports: []int32{80}, Server: "nginx", Curl8: true},
}

// ImageFor returns what podnet knows of an image reference such as
// "kiamol/ch03-sleep", "docker.io/library/busybox:1.36" or
// "registry.k8s.io/coredns/coredns:v1.11.1". An image it does not know is
// taken to be Alpine-like: busybox's tools, and a server on the ports the
// container declares.
func ImageFor(ref string) Image {
	repo := repository(ref)
	if img, ok := images[repo]; ok {
		return img
	}
	// Registries nest repositories (registry.k8s.io/e2e-test-images/...):
	// try ever shorter suffixes.
	for i := strings.IndexByte(repo, '/'); i >= 0; i = strings.IndexByte(repo, '/') {
		repo = repo[i+1:]
		if img, ok := images[repo]; ok {
			return img
		}
	}
	img := Image{Tools: Busybox}
	if strings.HasSuffix(tag(ref), "alpine") || strings.Contains(ref, "alpine") {
		img.Libc = dns.Musl
	}
	return img
}

// repository strips the registry host, the library/ prefix, the tag and the
// digest from an image reference.
func repository(ref string) string {
	r := strings.ToLower(ref)
	if i := strings.IndexByte(r, '@'); i >= 0 {
		r = r[:i]
	}
	if i := strings.LastIndexByte(r, ':'); i > strings.LastIndexByte(r, '/') {
		r = r[:i]
	}
	if i := strings.IndexByte(r, '/'); i >= 0 && strings.ContainsAny(r[:i], ".:") || strings.HasPrefix(r, "localhost/") {
		r = r[i+1:]
	}
	return strings.TrimPrefix(r, "library/")
}

// tag returns the tag of an image reference, or "".
func tag(ref string) string {
	r := ref
	if i := strings.IndexByte(r, '@'); i >= 0 {
		r = r[:i]
	}
	if i := strings.LastIndexByte(r, ':'); i > strings.LastIndexByte(r, '/') {
		return r[i+1:]
	}
	return ""
}
