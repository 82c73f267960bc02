// Package address owns the first stage of a journey: the TARGET the user
// typed, taken apart into scheme, host, port, path and query, the host
// checked, converted to its ASCII (punycode) form, and read right to left
// from the root down, with the public suffix marked.
package address

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"journey/internal/trace"
)

// Limits of a host name (RFC 1035 section 2.3.4; 253 is 255 on the wire
// less the first length byte and the root's zero byte).
const (
	MaxNameLength  = 253
	MaxLabelLength = 63
)

// ErrBadTarget is wrapped by every error Parse returns.
var ErrBadTarget = errors.New("bad target")

var defaultPorts = map[string]int{"http": 80, "https": 443}

// lookup converts a Unicode name to ASCII as a browser does before DNS.
var lookup = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// Parse takes TARGET apart: a host name, an IP address, or an http(s) URL
// (http:// is assumed when no scheme is given).
func Parse(input string) (*trace.Address, error) {
	in := strings.TrimSpace(input)
	if in == "" {
		return nil, fmt.Errorf("%w: the target is empty: give a host name, an IP address or a URL", ErrBadTarget)
	}
	if strings.ContainsFunc(in, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, fmt.Errorf("%w: %q holds control characters", ErrBadTarget, in)
	}
	a := &trace.Address{Input: input}
	raw := in
	if !strings.Contains(in, "://") {
		if scheme, ok := schemeWithoutSlashes(in); ok {
			return nil, fmt.Errorf("%w: scheme %q is not supported: use http or https", ErrBadTarget, scheme)
		}
		a.SchemeAssumed = true
		if ip, err := netip.ParseAddr(in); err == nil && ip.Is6() {
			raw = "[" + in + "]" // a bare IPv6 literal
		}
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %q is not a valid URL: %v", ErrBadTarget, in, err)
	}
	a.Scheme = strings.ToLower(u.Scheme)
	if _, ok := defaultPorts[a.Scheme]; !ok {
		return nil, fmt.Errorf("%w: scheme %q is not supported: use http or https", ErrBadTarget, u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: %q holds a user name or password; journey does not send credentials", ErrBadTarget, in)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrBadTarget, in)
	}
	if err := parsePort(a, u.Port()); err != nil {
		return nil, err
	}
	if err := parseHost(a, host); err != nil {
		return nil, err
	}
	a.Path = u.EscapedPath()
	if a.Path == "" {
		a.Path = "/"
	}
	a.Query = u.RawQuery
	a.Fragment = u.EscapedFragment()
	a.URL = canonicalURL(a)
	return a, nil
}

func parsePort(a *trace.Address, port string) error {
	if port == "" {
		a.Port = defaultPorts[a.Scheme]
		a.PortDefault = true
		return nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrBadTarget, port)
	}
	a.Port = n
	a.PortDefault = n == defaultPorts[a.Scheme]
	return nil
}

func parseHost(a *trace.Address, host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return fmt.Errorf("%w: %q: IPv6 zones are not supported", ErrBadTarget, host)
		}
		a.IsIP = true
		a.Host = ip.String()
		a.ASCIIHost = ip.String()
		return nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	ascii, err := ToASCII(name)
	if err != nil {
		return err
	}
	a.Host = name
	if u, err := lookup.ToUnicode(ascii); err == nil {
		a.Host = u // show the Unicode form even when punycode was typed
	}
	a.ASCIIHost = ascii
	split(a)
	return nil
}

// ToASCII converts a host name to the form sent on the wire (punycode for
// internationalised labels) and checks it against the rules for host names.
func ToASCII(name string) (string, error) {
	name = strings.TrimSuffix(name, ".")
	if isASCII(name) {
		if err := CheckName(name); err != nil {
			return "", err // clearer words than the IDNA library's
		}
	}
	ascii, err := lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a valid host name: %v", ErrBadTarget, name, strings.TrimPrefix(err.Error(), "idna: "))
	}
	if err := CheckName(ascii); err != nil {
		return "", err
	}
	return ascii, nil
}

// CheckName checks an ASCII host name: at most 253 bytes, labels of 1 to 63
// bytes, each made of letters, digits and hyphens, not starting or ending
// with a hyphen (underscores are let through, as DNS itself allows them).
func CheckName(name string) error {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return fmt.Errorf("%w: the host name is empty", ErrBadTarget)
	}
	if len(name) > MaxNameLength {
		return fmt.Errorf("%w: the host name is %d bytes long; at most %d are allowed", ErrBadTarget, len(name), MaxNameLength)
	}
	for _, label := range strings.Split(name, ".") {
		switch {
		case label == "":
			return fmt.Errorf("%w: %q has an empty label (two dots in a row, or a leading dot)", ErrBadTarget, name)
		case len(label) > MaxLabelLength:
			return fmt.Errorf("%w: the label %q is %d bytes long; at most %d are allowed", ErrBadTarget, label, len(label), MaxLabelLength)
		case label[0] == '-' || label[len(label)-1] == '-':
			return fmt.Errorf("%w: the label %q starts or ends with a hyphen", ErrBadTarget, label)
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("%w: the label %q holds %q; host names use letters, digits and hyphens", ErrBadTarget, label, c)
			}
		}
	}
	return nil
}

// split reads the ASCII host right to left: root, top-level domain, the
// rest of the public suffix, the registrable domain, then subdomains.
func split(a *trace.Address) {
	suffix, icann := publicsuffix.PublicSuffix(a.ASCIIHost)
	a.PublicSuffix, a.ICANN = suffix, icann
	if reg, err := publicsuffix.EffectiveTLDPlusOne(a.ASCIIHost); err == nil {
		a.Registrable = reg
	}
	labels := strings.Split(a.ASCIIHost, ".")
	suffixLabels := strings.Count(suffix, ".") + 1
	a.Parts = []trace.HostPart{{Role: "root", Name: ".", Label: ""}}
	for i := len(labels) - 1; i >= 0; i-- {
		depth := len(labels) - i // 1 for the TLD
		p := trace.HostPart{Name: strings.Join(labels[i:], "."), Label: labels[i]}
		switch {
		case depth == 1:
			p.Role = "tld"
		case depth <= suffixLabels:
			p.Role = "suffix"
		case depth == suffixLabels+1:
			p.Role = "registrable"
		default:
			p.Role = "subdomain"
		}
		if strings.HasPrefix(p.Label, "xn--") {
			if u, err := lookup.ToUnicode(p.Label); err == nil && u != p.Label {
				p.Unicode = u
			}
		}
		a.Parts = append(a.Parts, p)
	}
}

// canonicalURL rebuilds the URL with the ASCII host, as the request uses it.
func canonicalURL(a *trace.Address) string {
	s := a.Scheme + "://" + Authority(a) + a.Path
	if a.Query != "" {
		s += "?" + a.Query
	}
	return s
}

// Authority is host[:port] as the Host header carries it.
func Authority(a *trace.Address) string {
	host := a.ASCIIHost
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		host = "[" + host + "]"
	}
	if !a.PortDefault {
		host += ":" + strconv.Itoa(a.Port)
	}
	return host
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// schemeWithoutSlashes finds a scheme written without "//" (mailto:,
// javascript:), telling it from a host followed by a port (example.com:8080).
func schemeWithoutSlashes(in string) (string, bool) {
	scheme, rest, ok := strings.Cut(in, ":")
	if !ok || scheme == "" || !(scheme[0] >= 'a' && scheme[0] <= 'z' || scheme[0] >= 'A' && scheme[0] <= 'Z') {
		return "", false
	}
	for _, c := range []byte(scheme) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-') {
			return "", false // a dot or other byte: a host name, not a scheme
		}
	}
	port := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		port = rest[:i]
	}
	if port != "" && strings.Trim(port, "0123456789") == "" {
		return "", false // host:port
	}
	return scheme, true
}
