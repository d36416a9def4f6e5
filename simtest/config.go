package simtest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/proxy"
)

// Config is the cluster a simulation runs on.
type Config struct {
	Seed     uint64           // the cluster's seed (and the generator's)
	Platform kubesim.Platform // docker-desktop, kind or k3s
	Nodes    int              // nodes, named node-00001 and on
	Zones    int              // zones the nodes spread over (0: no zone labels)
	Mode     proxy.Mode       // kube-proxy mode
	// IgnoreEmpty turns on the DNS option "ignore empty_service".
	IgnoreEmpty bool
}

// RandomConfig draws a configuration from the seed.
func RandomConfig(seed uint64) Config {
	r := rand.New(rand.NewPCG(seed, 0xc0f1))
	return Config{
		Seed:        seed,
		Platform:    kubesim.Platforms[r.IntN(len(kubesim.Platforms))],
		Nodes:       1 + r.IntN(4),
		Zones:       r.IntN(3),
		Mode:        []proxy.Mode{proxy.ModeIPTables, proxy.ModeNFTables, proxy.ModeIPVS}[r.IntN(3)],
		IgnoreEmpty: r.IntN(5) == 0,
	}
}

// String renders the configuration as ParseConfig reads it.
func (c Config) String() string {
	s := fmt.Sprintf("seed=%d platform=%s nodes=%d zones=%d mode=%s", c.Seed, c.Platform, c.Nodes, c.Zones, c.Mode)
	if c.IgnoreEmpty {
		s += " ignore-empty=true"
	}
	return s
}

// ParseConfig reads "seed=N platform=P nodes=N zones=N mode=M
// ignore-empty=BOOL"; fields left out take RandomConfig's value for the seed.
func ParseConfig(s string) (Config, error) {
	kv := map[string]string{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return Config{}, fmt.Errorf("simtest: config %q: %q is not key=value", s, f)
		}
		kv[k] = v
	}
	var seed uint64
	if v, ok := kv["seed"]; ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return Config{}, fmt.Errorf("simtest: config: seed=%s: %v", v, err)
		}
		seed = n
	}
	c := RandomConfig(seed)
	for k, v := range kv {
		var err error
		switch k {
		case "seed":
		case "platform":
			c.Platform = kubesim.Platform(v)
		case "nodes":
			c.Nodes, err = strconv.Atoi(v)
		case "zones":
			c.Zones, err = strconv.Atoi(v)
		case "mode":
			c.Mode, err = proxy.ParseMode(v)
		case "ignore-empty":
			c.IgnoreEmpty, err = strconv.ParseBool(v)
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return Config{}, fmt.Errorf("simtest: config: %s=%s: %v", k, v, err)
		}
	}
	if c.Nodes < 1 || c.Nodes > 50 {
		return Config{}, fmt.Errorf("simtest: config: nodes=%d: want 1 to 50", c.Nodes)
	}
	return c, nil
}

// Cluster builds the cluster of the configuration.
func (c Config) Cluster() (*kubesim.Cluster, error) {
	cfg := kubesim.Config{
		Seed:     c.Seed,
		Platform: c.Platform,
		Nodes:    kubesim.GenerateNodes(c.Nodes, c.Zones),
		Proxy:    proxy.Config{Mode: c.Mode},
		DNS:      dns.KubeadmConfig(),
	}
	cfg.DNS.IgnoreEmptyService = c.IgnoreEmpty
	return kubesim.New(cfg)
}
