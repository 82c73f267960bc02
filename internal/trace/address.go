package trace

// Address is the address stage's result: the TARGET taken apart.
type Address struct {
	Input         string `json:"input"`          // as typed
	URL           string `json:"url"`            // normalised, ASCII host
	Scheme        string `json:"scheme"`         // http or https
	SchemeAssumed bool   `json:"scheme_assumed"` // no scheme was typed
	Host          string `json:"host"`           // as typed, lower case (Unicode for an internationalised name)
	ASCIIHost     string `json:"ascii_host"`     // the host on the wire (punycode); equal to Host when all ASCII
	IsIP          bool   `json:"is_ip"`          // an IP literal: no DNS needed
	Port          int    `json:"port"`
	PortDefault   bool   `json:"port_default"` // the scheme's default port
	Path          string `json:"path"`         // as sent in the request line (escaped)
	Query         string `json:"query,omitempty"`
	Fragment      string `json:"fragment,omitempty"` // never sent: the browser keeps it
	// Parts are the host read right to left: the root, then the top-level
	// domain, and so on. Empty for an IP literal.
	Parts []HostPart `json:"parts,omitempty"`
	// PublicSuffix is the part under which anyone can register a name
	// (com, co.uk); ICANN says whether ICANN manages it (rather than a private registry).
	PublicSuffix string `json:"public_suffix,omitempty"`
	ICANN        bool   `json:"icann,omitempty"`
	Registrable  string `json:"registrable,omitempty"` // public suffix plus one label (example.co.uk)
}

// HostPart is one step of reading a host name right to left.
type HostPart struct {
	Role    string `json:"role"`              // root, tld, suffix, registrable, subdomain
	Name    string `json:"name"`              // the name down to here, ASCII (co.uk)
	Label   string `json:"label"`             // the label added at this step (co)
	Unicode string `json:"unicode,omitempty"` // the label's Unicode form when it is punycode
}
