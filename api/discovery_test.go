package api

import "testing"

func TestEndpointSlicePortDefaults(t *testing.T) {
	name, udp := "dns", ProtocolUDP
	for _, tt := range []struct {
		p     EndpointSlicePort
		name  string
		proto Protocol
	}{
		{EndpointSlicePort{}, "", ProtocolTCP},
		{EndpointSlicePort{Name: &name, Protocol: &udp}, "dns", ProtocolUDP},
	} {
		if tt.p.PortName() != tt.name || tt.p.PortProtocol() != tt.proto {
			t.Errorf("%+v: name %q protocol %s, want %q %s", tt.p, tt.p.PortName(), tt.p.PortProtocol(), tt.name, tt.proto)
		}
	}
}
