package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// seconds is a duration flag that also takes bare seconds, as curl's
// --max-time and --connect-timeout do: "5" and "0.5" are 5s and 500ms;
// "500ms" and "2s" are Go durations.
type seconds time.Duration

func (s *seconds) String() string { return time.Duration(*s).String() }
func (s *seconds) Type() string   { return "duration" }

func (s *seconds) Set(v string) error {
	d, err := parseSeconds(v)
	if err != nil {
		return err
	}
	*s = seconds(d)
	return nil
}

// maxSeconds bounds a bare number of seconds so it fits a time.Duration
// (about 292 years); any journey limit is far below it.
const maxSeconds = 1e9

func parseSeconds(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxSeconds {
			return 0, fmt.Errorf("%q is not a number of seconds", v)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is neither seconds (5, 0.5) nor a duration (500ms, 2s)", v)
	}
	return d, nil
}

// percent is a percentage flag that takes "30" and "30%".
type percent float64

func (p *percent) String() string { return strconv.FormatFloat(float64(*p), 'g', -1, 64) }
func (p *percent) Type() string   { return "percent" }

func (p *percent) Set(v string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%")), 64)
	if err != nil || math.IsNaN(f) {
		return fmt.Errorf("%q is not a percentage (as 30 or 30%%)", v)
	}
	*p = percent(f)
	return nil
}
