package story_test

import (
	"fmt"
	"os"

	"journey/internal/story"
	"journey/internal/tracefile"
)

// A recorded journey read back and told as a story: the lanes, then the
// steps of the router's stage with who passes what to whom.
func Example() {
	f, err := os.Open("../../testdata/journeys/uk.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	j, err := tracefile.Decode(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := story.Build(j)
	for _, p := range s.Parties {
		fmt.Printf("lane: %s\n", p.Name)
	}
	for _, st := range s.Steps {
		if st.Kind == story.KindConvert {
			fmt.Printf("%s → %s: %s\n", s.Parties[st.From].Name, s.Parties[st.To].Name, st.Title)
			fmt.Println(st.Narration)
		}
	}
	// Output:
	// lane: you
	// lane: a.root-servers.net
	// lane: nsa.nic.uk
	// lane: ns1.example.co.uk
	// lane: www.example.co.uk
	// lane: gateway
	// lane: router
	// lane: view
	// router → router: int: '2024' → 2024
	// The int converter of <int:year> extracts 2024 from the text '2024' (it matches the regex [0-9]+): the view receives year=2024, a Python int, not a string.
}
