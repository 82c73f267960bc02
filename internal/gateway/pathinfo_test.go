package gateway

import (
	"testing"
	"unicode/utf8"
)

func TestPathInfo(t *testing.T) {
	cases := []struct {
		raw, environ, django string
	}{
		{"/", "/", "/"},
		{"/caf%C3%A9/", "/cafÃ©/", "/café/"},
		{"/%FF/", "/ÿ/", "/%FF/"},
		{"/%E2%82x", "/â\u0082x", "/%E2%82x"},
		{"/%zz/100%", "/%zz/100%", "/%zz/100%"},
		{"/a%2Fb", "/a/b", "/a/b"},
		{"/%25", "/%", "/%"},
		{"/é", "/Ã©", "/é"},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			env, dj := PathInfo(tc.raw)
			if env != tc.environ || dj != tc.django {
				t.Errorf("PathInfo(%q) = %q, %q; want %q, %q", tc.raw, env, dj, tc.environ, tc.django)
			}
		})
	}
}

// FuzzPathInfo: whatever the request line's path, Django's path is valid
// UTF-8 and PATH_INFO has one character per decoded byte.
func FuzzPathInfo(f *testing.F) {
	for _, s := range []string{"/", "/%FF", "/%e2%82%ac", "%", "/%%41", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		env, dj := PathInfo(raw)
		if !utf8.ValidString(dj) {
			t.Fatalf("Django's path %q is not UTF-8", dj)
		}
		if utf8.RuneCountInString(env) != len(unquoteToBytes(raw)) {
			t.Fatalf("PATH_INFO %q is not one character per byte", env)
		}
		if fixed := escapeStrayPercent(raw); len(unquoteToBytes(fixed)) < len(unquoteToBytes(raw)) {
			t.Fatalf("escapeStrayPercent(%q) = %q lost bytes", raw, fixed)
		}
	})
}
