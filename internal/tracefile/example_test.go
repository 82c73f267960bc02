package tracefile_test

import (
	"fmt"
	"strings"

	"journey/internal/tracefile"
)

// Decode checks a document before anything shows it: here a journey
// whose first DNS packet claims a field past its three bytes.
func ExampleDecode() {
	doc := `{"format": "journey/1", "mode": "lab", "target": "www.example.com",
	  "stages": [
	    {"kind": "address", "status": "done"},
	    {"kind": "dns", "status": "done", "exchanges": [
	      {"kind": "dns", "sent": {"bytes": "AAEC", "fields": [{"name": "ID", "offset": 2, "length": 2}]}}]},
	    {"kind": "connect", "status": "pending"}, {"kind": "http", "status": "pending"},
	    {"kind": "gateway", "status": "pending"}, {"kind": "router", "status": "pending"}]}`
	_, err := tracefile.Decode(strings.NewReader(doc))
	fmt.Println(err)

	j, err := tracefile.Decode(strings.NewReader(strings.Replace(doc, `"offset": 2`, `"offset": 1`, 1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range j.Stages {
		fmt.Printf("%s %s, %d exchanges\n", s.Kind, s.Status, len(s.Exchanges))
	}
	// Output:
	// not a valid journey/1 trace: stages[1].exchanges[0].sent.fields[0]: offset 2 + length 2 is past the message's 3 bytes
	// address done, 0 exchanges
	// dns done, 1 exchanges
	// connect pending, 0 exchanges
	// http pending, 0 exchanges
	// gateway pending, 0 exchanges
	// router pending, 0 exchanges
}
