package facts

import (
	"fmt"
	"unicode/utf8"
)

// Plural is one when n is 1, many otherwise: "query" or "queries".
func Plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count says n things, worded for one and many: Count(1, "query",
// "queries") is "1 query", Count(3, ...) "3 queries". Every count a
// renderer prints goes through it, so none says "1 question(s)".
func Count[N ~int | ~int64](n N, one, many string) string {
	return fmt.Sprintf("%d %s", n, Plural(n, one, many))
}

// MaxHeaderTarget bounds the target shown in a header, in characters: a
// header is one line of an 80-column screen that also names the program,
// its version and the mode (about 25 characters), and the address stage shows
// the whole target anyway.
const MaxHeaderTarget = 50

// Shorten cuts s to at most max characters, saying how long the whole
// was: a 40 kB target becomes its first characters, "…" and "(40000
// bytes)". Strings that fit are returned as they are. The cut falls on a
// character boundary; the result is not yet made safe.
func Shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	suffix := fmt.Sprintf("… (%d bytes)", len(s))
	keep := max - utf8.RuneCountInString(suffix)
	if keep < 1 {
		keep = 1
	}
	n, i := 0, 0
	for i < len(s) && n < keep {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return s[:i] + suffix
}
