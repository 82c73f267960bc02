package tracefile

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"journey/internal/trace"
)

// JSON strings are Unicode: encoding/json turns each byte of a string that
// is not UTF-8 into U+FFFD, so a header value holding the byte 0xff would
// print as "\xff" in the run and as "�" in its replay. Before encoding,
// such bytes are written as the text \xNN instead: exactly what
// safetext shows for them, so the replay prints what the run printed.
// (Bytes on the wire are base64 and keep every byte.)

// withUTF8 returns j when all its strings are UTF-8, or else a copy whose
// strings have each invalid byte written as \xNN. j is never changed: the
// renderers may still be reading it.
func withUTF8(j *trace.Journey) *trace.Journey {
	v := reflect.ValueOf(j)
	if allUTF8(v) {
		return j
	}
	return escapedCopy(v).Interface().(*trace.Journey)
}

// allUTF8 reports whether every string under v is valid UTF-8.
func allUTF8(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || allUTF8(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !allUTF8(v.Field(i)) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // bytes, encoded as base64
		}
		for i := range v.Len() {
			if !allUTF8(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !allUTF8(it.Key()) || !allUTF8(it.Value()) {
				return false
			}
		}
	}
	return true
}

// escapedCopy deep-copies v, escaping invalid bytes in every string.
// Byte slices are shared: they are never changed once recorded.
func escapedCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		c := reflect.New(v.Type()).Elem()
		c.SetString(escapeInvalid(v.String()))
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(escapedCopy(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields (a time's) as they are
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.Field(i).Set(escapedCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() || v.Type().Elem().Kind() == reflect.Uint8 {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(escapedCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			c.SetMapIndex(escapedCopy(it.Key()), escapedCopy(it.Value()))
		}
		return c
	}
	return v
}

// escapeInvalid writes each byte of s that is not part of valid UTF-8 as
// the text \xNN, the way safetext shows it.
func escapeInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
