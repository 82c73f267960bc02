package router

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// Converter is one of path()'s converters: the regex a captured segment
// must match, and how its text becomes the value the view receives.
type Converter struct {
	Name  string
	Regex string // exactly Django's, from django/urls/converters.py
	Type  string // the Python type the view receives
	re    *regexp.Regexp
}

// Converters are Django's five built-in path converters.
var Converters = map[string]*Converter{
	"str":  {Name: "str", Regex: `[^/]+`, Type: "str"},
	"int":  {Name: "int", Regex: `[0-9]+`, Type: "int"},
	"slug": {Name: "slug", Regex: `[-a-zA-Z0-9_]+`, Type: "str"},
	"uuid": {Name: "uuid", Regex: `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, Type: "UUID"},
	"path": {Name: "path", Regex: `.+`, Type: "str"},
}

func init() {
	for _, c := range Converters {
		c.re = regexp.MustCompile(`\A(?:` + c.Regex + `)\z`)
	}
}

// ToPython is the value the view receives for text, shown as Python would
// print it: int("0042") is 42, a UUID is UUID('...').
func (c *Converter) ToPython(text string) string {
	switch c.Name {
	case "int":
		n, ok := new(big.Int).SetString(text, 10) // Python ints have no upper bound
		if !ok {
			return text
		}
		return n.String()
	case "uuid":
		return "UUID('" + text + "')"
	}
	return pyRepr(text)
}

// ToURL checks a value given to reverse() and returns its text in a URL.
func (c *Converter) ToURL(value string) (string, error) {
	if !c.re.MatchString(value) {
		return "", fmt.Errorf("%q is not a valid %s (it must match %s)", value, c.Name, c.Regex)
	}
	return value, nil
}

// pyRepr writes s as a Python string literal, as Django's debug pages show
// values.
func pyRepr(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + reprDouble.Replace(s) + `"`
	}
	return "'" + reprSingle.Replace(s) + "'"
}

var (
	reprSingle = strings.NewReplacer(`\`, `\\`, "'", `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	reprDouble = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
)
