package cli

import (
	"strings"
	"testing"
)

func TestLabURLs(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"the URL file", []string{"lab", "urls"}, 0, "from journey_views import"},
		{"its views", []string{"lab", "urls", "--views"}, 0, "def template(text):"},
		{"unknown flag", []string{"lab", "urls", "--nope"}, 2, "usage: journey lab urls [--views]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s%s", code, tc.code, tc.want, out, errOut)
			}
		})
	}
}
