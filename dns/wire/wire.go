// Package wire serves a simulated cluster DNS over real UDP and TCP sockets
// with github.com/miekg/dns, so that dig, busybox nslookup, or any resolver
// can query it.
//
// The server answers as CoreDNS's front end does around the kubernetes
// plugin: one question per message (else FORMERR), QUERY only (else NOTIMP),
// class IN only (else REFUSED), the request's EDNS0 OPT record echoed with
// its cookie, and UDP answers truncated (TC set) to 512 bytes or the size
// the client advertised. Each reply is the in-memory dns.Server's answer to
// the same question from the client's address.
package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	mdns "github.com/miekg/dns"

	"github.com/kubesim/kubesim/dns"
)

// Server is a running DNS listener pair (UDP and TCP on the same port).
type Server struct {
	backend *dns.Server
	udp     *mdns.Server
	tcp     *mdns.Server
	addr    string

	mu     sync.Mutex
	closed bool
	done   chan struct{}
	errs   []error
}

// Start listens on addr ("127.0.0.1:0" picks a free port) over UDP and TCP
// and serves s until Close.
func Start(s *dns.Server, addr string) (*Server, error) {
	if s == nil {
		return nil, errors.New("wire: Start: nil dns.Server")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("wire: Start(%q): %w", addr, err)
	}
	var pc net.PacketConn
	var ln net.Listener
	for attempt := 0; ; attempt++ {
		pc, err = net.ListenPacket("udp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, fmt.Errorf("wire: Start(%q): %w", addr, err)
		}
		_, p, _ := net.SplitHostPort(pc.LocalAddr().String())
		ln, err = net.Listen("tcp", net.JoinHostPort(host, p))
		if err == nil {
			break
		}
		pc.Close()
		if port != "0" || attempt > 20 {
			return nil, fmt.Errorf("wire: Start(%q): %w", addr, err)
		}
	}
	w := &Server{backend: s, addr: pc.LocalAddr().String(), done: make(chan struct{})}
	h := mdns.HandlerFunc(w.serve)
	var started sync.WaitGroup
	started.Add(2)
	w.udp = &mdns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: started.Done}
	w.tcp = &mdns.Server{Listener: ln, Handler: h, NotifyStartedFunc: started.Done}
	var wg sync.WaitGroup
	wg.Add(2)
	for _, srv := range []*mdns.Server{w.udp, w.tcp} {
		go func() {
			defer wg.Done()
			if err := srv.ActivateAndServe(); err != nil {
				w.mu.Lock()
				w.errs = append(w.errs, err)
				w.mu.Unlock()
				started.Done()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(w.done)
	}()
	started.Wait()
	return w, nil
}

// Addr returns the host:port the server listens on (the same port for UDP
// and TCP).
func (w *Server) Addr() string { return w.addr }

// Close stops both listeners and waits for them to finish.
func (w *Server) Close() error { return w.Shutdown(context.Background()) }

// Shutdown stops both listeners, waiting for in-flight queries until ctx is
// done.
func (w *Server) Shutdown(ctx context.Context) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	var errs []error
	for _, srv := range []*mdns.Server{w.udp, w.tcp} {
		if err := srv.ShutdownContext(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	return errors.Join(errs...)
}

func (w *Server) serve(rw mdns.ResponseWriter, req *mdns.Msg) {
	m := Answer(w.backend, clientAddr(rw.RemoteAddr()), req)
	if m == nil {
		return
	}
	Scrub(m, req, rw.RemoteAddr().Network() == "udp", clientAddr(rw.RemoteAddr()).Is6())
	_ = rw.WriteMsg(m)
}

// Scrub fits a reply to the transport as CoreDNS's request.Scrub does: it
// truncates to the client's size (512 bytes, the EDNS0 size, 64 KiB over
// TCP) and sends the message uncompressed unless that does not fit, or over
// UDP exceeds 1480 bytes (IPv4) or 1220 bytes (IPv6).
func Scrub(m, req *mdns.Msg, udp, v6 bool) {
	size := mdns.MaxMsgSize
	if udp {
		size = mdns.MinMsgSize
		if o := req.IsEdns0(); o != nil && int(o.UDPSize()) > size {
			size = int(o.UDPSize())
		}
	}
	m.Truncate(size)
	if m.Compress || !udp {
		return
	}
	if l := m.Len(); (l > 1480 && !v6) || (l > 1220 && v6) {
		m.Compress = true
	}
}

func clientAddr(a net.Addr) netip.Addr {
	switch v := a.(type) {
	case *net.UDPAddr:
		ip, _ := netip.AddrFromSlice(v.IP)
		return ip.Unmap()
	case *net.TCPAddr:
		ip, _ := netip.AddrFromSlice(v.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

// Answer builds the reply message to req as the wire server sends it,
// before truncation. It returns nil for a message that is not a query.
func Answer(s *dns.Server, client netip.Addr, req *mdns.Msg) *mdns.Msg {
	if req.Response {
		return nil
	}
	m := new(mdns.Msg)
	m.SetReply(req)
	m.Compress = true
	m.RecursionAvailable = false
	switch {
	case req.Opcode != mdns.OpcodeQuery:
		m.Rcode = mdns.RcodeNotImplemented
	case len(req.Question) != 1:
		m.Rcode = mdns.RcodeFormatError
	case req.Question[0].Qclass != mdns.ClassINET:
		m.Rcode = mdns.RcodeRefused
	default:
		q := req.Question[0]
		r := s.QueryFrom(client, q.Name, q.Qtype)
		m.Rcode = r.Rcode
		m.Authoritative = r.Authoritative
		m.RecursionAvailable = r.RecursionAvailable
		m.Answer = toWire(r.Answer)
		m.Ns = toWire(r.Authority)
		m.Extra = toWire(r.Additional)
	}
	echoOPT(req, m)
	return m
}

// echoOPT is CoreDNS's request.SizeAndDo: the request's OPT record goes back,
// version 0, flags cleared but DO, with only the options CoreDNS keeps.
func echoOPT(req, m *mdns.Msg) {
	o := req.IsEdns0()
	if o == nil {
		return
	}
	opt := &mdns.OPT{Hdr: mdns.RR_Header{Name: ".", Rrtype: mdns.TypeOPT, Class: o.Hdr.Class}}
	opt.SetVersion(0)
	if o.Do() {
		opt.SetDo()
	}
	for _, e := range o.Option {
		switch e.Option() {
		case mdns.EDNS0NSID, mdns.EDNS0EXPIRE, mdns.EDNS0COOKIE, mdns.EDNS0TCPKEEPALIVE, mdns.EDNS0PADDING:
			opt.Option = append(opt.Option, e)
		}
	}
	m.Extra = append(m.Extra, opt)
}

// toWire converts records to miekg/dns values.
func toWire(rrs []dns.RR) []mdns.RR {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]mdns.RR, 0, len(rrs))
	for _, rr := range rrs {
		if w := ToWire(rr); w != nil {
			out = append(out, w)
		}
	}
	return out
}

// ToWire converts one record; it returns nil for a type it cannot carry.
func ToWire(rr dns.RR) mdns.RR {
	h := mdns.RR_Header{Name: rr.Name, Rrtype: rr.Type, Class: mdns.ClassINET, Ttl: rr.TTL}
	switch rr.Type {
	case dns.TypeA:
		return &mdns.A{Hdr: h, A: rr.Addr.AsSlice()}
	case dns.TypeAAAA:
		return &mdns.AAAA{Hdr: h, AAAA: rr.Addr.AsSlice()}
	case dns.TypeCNAME:
		return &mdns.CNAME{Hdr: h, Target: rr.Target}
	case dns.TypePTR:
		return &mdns.PTR{Hdr: h, Ptr: rr.Target}
	case dns.TypeNS:
		return &mdns.NS{Hdr: h, Ns: rr.Target}
	case dns.TypeMX:
		return &mdns.MX{Hdr: h, Preference: rr.Priority, Mx: rr.Target}
	case dns.TypeSRV:
		return &mdns.SRV{Hdr: h, Priority: rr.Priority, Weight: rr.Weight, Port: rr.Port, Target: rr.Target}
	case dns.TypeTXT:
		return &mdns.TXT{Hdr: h, Txt: []string{txtEscape(rr.Text)}}
	case dns.TypeSOA:
		return &mdns.SOA{Hdr: h, Ns: rr.Target, Mbox: rr.Mbox, Serial: rr.Serial, Refresh: rr.Refresh,
			Retry: rr.Retry, Expire: rr.Expire, Minttl: rr.Minimum}
	}
	return nil
}

// txtEscape writes a TXT string in miekg/dns's presentation form.
func txtEscape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < ' ' || c > '~':
			b = append(b, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// FromWire converts a miekg/dns record back; ok is false for types the
// simulator does not model.
func FromWire(r mdns.RR) (dns.RR, bool) {
	h := r.Header()
	out := dns.RR{Name: h.Name, Type: h.Rrtype, TTL: h.Ttl}
	switch v := r.(type) {
	case *mdns.A:
		a, _ := netip.AddrFromSlice(v.A.To4())
		out.Addr = a
	case *mdns.AAAA:
		a, _ := netip.AddrFromSlice(v.AAAA.To16())
		out.Addr = a
	case *mdns.CNAME:
		out.Target = v.Target
	case *mdns.PTR:
		out.Target = v.Ptr
	case *mdns.NS:
		out.Target = v.Ns
	case *mdns.MX:
		out.Priority, out.Target = v.Preference, v.Mx
	case *mdns.SRV:
		out.Priority, out.Weight, out.Port, out.Target = v.Priority, v.Weight, v.Port, v.Target
	case *mdns.TXT:
		for _, t := range v.Txt {
			out.Text += t
		}
	case *mdns.SOA:
		out.Target, out.Mbox = v.Ns, v.Mbox
		out.Serial, out.Refresh, out.Retry, out.Expire, out.Minimum = v.Serial, v.Refresh, v.Retry, v.Expire, v.Minttl
	default:
		return dns.RR{}, false
	}
	return out, true
}
