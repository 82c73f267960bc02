package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// argNames name the value each flag takes, as the product brief writes them.
var argNames = map[string]string{
	"lab-latency": "D",
	"lab-loss":    "PERCENT",
	"lab-seed":    "N",
	"tls-max":     "VERSION",
	"record":      "FILE",
	"roots":       "ADDR[,ADDR]",
	"port":        "N",
	"resolve":     "HOST:PORT:ADDR",
	"timeout":     "SECONDS",
	"max-time":    "SECONDS",
	"request":     "METHOD",
	"header":      "'NAME: VALUE'",
	"data":        "DATA",
	"urls":        "FILE",
}

// printUsage writes the help: each flag with what it does, its default and
// an example. A flag's usage text is its description, then, after a
// newline, its example.
func printUsage(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprint(w, usageHead)
	fs.VisitAll(func(f *pflag.Flag) {
		name := "    --" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + ", --" + f.Name
		}
		if arg := argNames[f.Name]; arg != "" {
			name += " " + arg
		}
		desc, example, _ := strings.Cut(f.Usage, "\n")
		if f.Value.Type() != "bool" && f.DefValue != "" && f.DefValue != "0" && f.DefValue != "[]" {
			desc += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-30s %s\n", name, desc)
		if example = strings.TrimSpace(example); example != "" {
			fmt.Fprintf(w, "  %-30s   e.g. %s\n", "", example)
		}
	})
	fmt.Fprint(w, usageTail)
}
