package tracefile

import (
	"reflect"

	"journey/internal/safetext"
	"journey/internal/trace"
)

// Strings in a document are kept displayable: every control character,
// bidi control and byte that is not UTF-8 is written as the visible escape
// safetext shows for it (\x1b, \u202e, \xff), keeping newlines and tabs.
// Why, on both sides:
//
//   - Writing: JSON strings are Unicode, and encoding/json turns each byte
//     that is not UTF-8 into U+FFFD, so a header value holding 0xff would
//     print as "\xff" in the run and as "�" in its replay.
//   - Reading: a replay file may come from anyone, and a renderer that
//     prints one string without safetext would send its escape sequences
//     to the terminal raw; a live trace's strings come from the engine.
//
// Either way every renderer shows the same text: safetext.Line and
// safetext.Text of an escaped string equal those of the original, because
// the escapes are themselves plain ASCII. The wire bytes (base64) keep every
// byte as it was.

// displayable returns j when all its strings are already displayable, or
// else a copy whose strings are. j is never changed: the renderers may still
// be reading it.
func displayable(j *trace.Journey) *trace.Journey {
	v := reflect.ValueOf(j)
	if allSafe(v) {
		return j
	}
	return safeCopy(v).Interface().(*trace.Journey)
}

// makeDisplayable escapes, in place, every string of a journey that nothing
// else holds (one just decoded).
func makeDisplayable(j *trace.Journey) {
	v := reflect.ValueOf(j)
	if !allSafe(v) {
		*j = *safeCopy(v).Interface().(*trace.Journey)
	}
}

func safeString(s string) bool { return safetext.Text(s) == s }

// allSafe reports whether every string under v is displayable.
func allSafe(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return safeString(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || allSafe(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !allSafe(v.Field(i)) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true // bytes, encoded as base64
		}
		for i := range v.Len() {
			if !allSafe(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !allSafe(it.Key()) || !allSafe(it.Value()) {
				return false
			}
		}
	}
	return true
}

// safeCopy deep-copies v with every string made displayable. Byte slices
// are shared: they are never changed once recorded.
func safeCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		c := reflect.New(v.Type()).Elem()
		c.SetString(safetext.Text(v.String()))
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(safeCopy(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields (a time's) as they are
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				c.Field(i).Set(safeCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() || v.Type().Elem().Kind() == reflect.Uint8 {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(safeCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			c.SetMapIndex(safeCopy(it.Key()), safeCopy(it.Value()))
		}
		return c
	}
	return v
}
