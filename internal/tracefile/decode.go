package tracefile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"journey/internal/trace"
)

// Limits on a document read back. A replay file may come from anyone, so
// every size and count is bounded before a renderer sees it.
const (
	// MaxFileSize bounds the bytes read. The largest real trace is a few
	// DNS packets plus HTTP captures, each capped well under a megabyte
	// (base64 adds a third); 64 MiB leaves a wide margin and stops a 2 GB
	// blob before any of it is decoded.
	MaxFileSize = 64 << 20
	// MinObjectBytes and MinValueBytes bound the JSON objects and values
	// (array elements, object members) in proportion to the document's
	// size, counted before decoding: the decoder turns a 3-byte "{}," into
	// a 72-byte field, and grows its slices by copying (three times the
	// final size allocated in all), so a file of tiny objects
	// ("[{},{},...]") could make it allocate a hundred times the file.
	// journey writes objects of over 100 bytes (indented; a header's
	// field, minified, is about 69); at one object per 64 bytes, the worst
	// document of 60 MB takes about five times its size to read, whatever
	// its shape, and a recording of 61,000 headers (183,000 field objects,
	// 40 MB) reads back.
	MinObjectBytes = 64
	MinValueBytes  = 8
	// MaxObjects and MaxValues are allowed whatever the document's size,
	// so a small document is never refused for its counts alone.
	MaxObjects = 1 << 17
	MaxValues  = 1 << 20
	// MaxNesting bounds how deep objects and arrays nest. A real trace
	// nests about ten levels plus its field trees (MaxFieldDepth).
	MaxNesting = 64
	// MaxStages bounds the stages before they are looked at; a journey has
	// exactly six, so this only turns a huge list into a clearer error.
	MaxStages = 16
	// MaxExchanges bounds the exchanges of the whole journey: far above
	// the DNS stage's query limit plus the redirect limit.
	MaxExchanges = 4096
	// MaxFields bounds the annotated fields of one message, nested ones
	// included, that are kept: past it the message's bytes are all there,
	// the rest of its annotation is dropped, and the stage gets a note
	// saying how many fields were. (Memory is bounded by MinObjectBytes;
	// this bounds what a renderer walks.) Journey annotates every header, so
	// a response of 61,000 headers (under curl's 300 KiB head limit) has
	// 183,000 fields; a renderer needs no more than this to teach.
	MaxFields = 1 << 16
	// MaxFieldDepth bounds how deep a field tree nests (a DNS record's
	// RDATA inside a record inside a section is three levels).
	MaxFieldDepth = 16
	// MaxDepth bounds every "depth" value (an exchange's, a URL pattern's
	// inside include()), which renderers indent by: nameserver lookups
	// inside lookups and nested includes stay far below it.
	MaxDepth = 16
	// MaxOffset bounds every timing (offsets and durations). A journey is
	// bounded by --max-time; a day is absurd for any of them and keeps
	// start plus duration far from overflow.
	MaxOffset = 24 * time.Hour
	// MaxDropped bounds a message's count of bytes past its capture cap,
	// so that a message's size cannot overflow: a terabyte is more than
	// any journey can receive within MaxOffset on a classroom network.
	MaxDropped = 1 << 40
)

// Errors Decode wraps, for errors.Is. Each message reads well after
// "FILE: ".
var (
	ErrTooLarge  = errors.New("too large")                   // past MaxFileSize or a count limit
	ErrNotJSON   = errors.New("not a JSON document")         // syntax error
	ErrTruncated = errors.New("truncated")                   // the document ends early
	ErrFormat    = errors.New("not a journey/1 trace")       // another format or version
	ErrInvalid   = errors.New("not a valid journey/1 trace") // absurd values
	errEmpty     = fmt.Errorf("%w: the file is empty", ErrNotJSON)
)

// Decode reads one journey document from r and checks it: its size, that
// it is JSON, its format, and that every value is one a renderer can show
// (no negative timing, every field inside its message's bytes, no unknown
// stage). Unknown JSON fields are ignored, so a newer minor version reads.
// The error is one line, without the file's name.
func Decode(r io.Reader) (*trace.Journey, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	if err := sniff(br); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(br, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: more than %d MiB, larger than any recorded journey", ErrTooLarge, MaxFileSize>>20)
	}
	return decode(data)
}

// bom is the UTF-8 byte-order mark some editors put first; JSON forbids
// it, but a recording opened and saved in one is still a recording.
var bom = []byte("\xef\xbb\xbf")

// sniffSize is how much of a document is looked at before it is read
// whole: enough for a byte-order mark and leading space.
const sniffSize = 4 << 10

// sniff refuses, from its first bytes, a document that cannot be a
// journey, so that /dev/urandom or a binary file is not read to
// MaxFileSize first.
func sniff(br *bufio.Reader) error {
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("reading: %w", err)
	}
	if len(head) < sniffSize {
		return nil // all of it is here: decode says what is wrong
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil // 4 KiB of spaces: the size limit will say
	case trimmed[0] == '{':
		return nil
	case bytes.IndexByte([]byte(`["-0123456789tfn`), trimmed[0]) >= 0 && jsonPrefix(trimmed):
		return fmt.Errorf("%w: the document is not a JSON object", ErrFormat)
	}
	return fmt.Errorf("%w: it does not start with '{'", ErrNotJSON)
}

// jsonPrefix reports whether b reads as the start of JSON values: random
// bytes that happen to start like one ("5", "[") soon fail.
func jsonPrefix(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err != nil {
			return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		}
	}
}

// decodeGCPercent is the garbage collector's target while decoding (the
// default is 100: the heap may double before a collection).
const decodeGCPercent = 25

// decode checks and decodes a whole document.
func decode(data []byte) (*trace.Journey, error) {
	data = bytes.TrimPrefix(data, bom)
	if err := scan(data); err != nil {
		return nil, err
	}
	// One full decode in the common case; the format is checked after it,
	// and before a decoding error is reported, so that a document of
	// another format says so rather than what its fields hold.
	// The decoder's garbage (slices grown by copying) is most of what it
	// allocates: collect it sooner while decoding, so the peak stays near
	// what is kept.
	defer debug.SetGCPercent(debug.SetGCPercent(decodeGCPercent))
	var j trace.Journey
	if err := json.Unmarshal(data, &j); err != nil {
		var head struct {
			Format string `json:"format"`
		}
		if json.Unmarshal(data, &head) == nil {
			if ferr := checkFormat(head.Format); ferr != nil {
				return nil, ferr
			}
		}
		return nil, jsonError(err)
	}
	if err := checkFormat(j.Format); err != nil {
		return nil, err
	}
	if err := check(&j); err != nil {
		return nil, err
	}
	makeDisplayable(&j)
	return &j, nil
}

// checkFormat accepts exactly trace.Format.
func checkFormat(format string) error {
	switch format {
	case trace.Format:
		return nil
	case "":
		return fmt.Errorf("%w: it has no \"format\" field", ErrFormat)
	}
	return fmt.Errorf("%w: its format is %q, and this journey reads %q", ErrFormat, format, trace.Format)
}

// scan walks the bytes once, before decoding: it tells a document that is
// not JSON at all from one cut short, and counts objects, values and nesting
// against their limits so the decoder never allocates without bound.
func scan(data []byte) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return errEmpty
	}
	if trimmed[0] != '{' {
		if json.Valid(data) {
			return fmt.Errorf("%w: the document is not a JSON object", ErrFormat)
		}
		return fmt.Errorf("%w: it does not start with '{'", ErrNotJSON)
	}
	var (
		depth, objects, values int
		inString, escaped      bool
		maxObjects             = max(MaxObjects, len(data)/MinObjectBytes)
		maxValues              = max(MaxValues, len(data)/MinValueBytes)
	)
	for _, c := range trimmed {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxNesting {
				return fmt.Errorf("%w: objects and arrays nest more than %d deep", ErrTooLarge, MaxNesting)
			}
			if c == '{' {
				objects++
				if objects > maxObjects {
					return fmt.Errorf("%w: more than %d JSON objects in %d bytes (one per %d bytes at most)", ErrTooLarge, maxObjects, len(data), MinObjectBytes)
				}
			}
		case '}', ']':
			depth--
			if depth < 0 {
				return fmt.Errorf("%w: a %q closes nothing", ErrNotJSON, c)
			}
		case ',':
			values++
			if values > maxValues {
				return fmt.Errorf("%w: more than %d JSON values in %d bytes (one per %d bytes at most)", ErrTooLarge, maxValues, len(data), MinValueBytes)
			}
		}
	}
	if inString || depth > 0 {
		return fmt.Errorf("%w: the document ends after %d bytes, inside an unfinished %s", ErrTruncated, len(data), unfinished(inString))
	}
	return nil
}

func unfinished(inString bool) string {
	if inString {
		return "string"
	}
	return "object or array"
}

// jsonError turns a decoding error into one line saying where.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%w: %v (at byte %d)", ErrNotJSON, syn, syn.Offset)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the document"
		}
		return fmt.Errorf("%w: %s holds %s where %s belongs (at byte %d)", ErrInvalid, where, article(typ.Value), jsonKind(typ.Type), typ.Offset)
	default:
		// Bad base64, a malformed time: the decoder's message says which.
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
}

// checker walks a decoded journey, counting what it bounds and keeping the
// path to the value being checked, for the error.
type checker struct {
	path      []string
	exchanges int
	fields    int
	dropped   map[int]int // per stage index: annotated fields past MaxFields, not kept
}

// invalid is an error at the current path.
func (c *checker) invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, strings.TrimPrefix(strings.Join(c.path, ""), "."), fmt.Sprintf(format, args...))
}

func (c *checker) push(s string) { c.path = append(c.path, s) }
func (c *checker) pop()          { c.path = c.path[:len(c.path)-1] }

// check validates a decoded journey: the enumerations renderers switch on,
// then every value by walking the whole tree (so typed results added to the
// trace later are checked too).
func check(j *trace.Journey) error {
	c := &checker{}
	switch j.Mode {
	case trace.ModeLive, trace.ModeLab:
	default:
		return fmt.Errorf("%w: mode %q is neither %q nor %q", ErrInvalid, j.Mode, trace.ModeLive, trace.ModeLab)
	}
	if len(j.Stages) > MaxStages {
		return fmt.Errorf("%w: %d stages, more than %d", ErrTooLarge, len(j.Stages), MaxStages)
	}
	// Every trace holds the six stages in order (the recorder creates them
	// all, pending, before anything runs), so renderers may rely on it.
	if len(j.Stages) != len(trace.StageOrder) {
		return fmt.Errorf("%w: %d stages, where every journey has %d (%s)", ErrInvalid, len(j.Stages), len(trace.StageOrder), stageNames())
	}
	for i, s := range j.Stages {
		c.push("stages[" + strconv.Itoa(i) + "]")
		if s == nil {
			return c.invalid("null instead of a stage")
		}
		if s.Kind.Index() < 0 {
			return c.invalid("unknown stage kind %q", s.Kind)
		}
		if s.Kind != trace.StageOrder[i] {
			return c.invalid("a %q stage where the %q stage belongs (the order is %s)", s.Kind, trace.StageOrder[i], stageNames())
		}
		switch s.Status {
		case trace.StatusPending, trace.StatusRunning, trace.StatusDone, trace.StatusFailed, trace.StatusSkipped:
		default:
			return c.invalid("unknown status %q", s.Status)
		}
		for k, e := range s.Exchanges {
			if e == nil {
				continue // reported by walk with its path
			}
			switch e.Transport {
			case "", trace.TransportUDP, trace.TransportTCP, trace.TransportTLS, trace.TransportProcess:
			default:
				c.push(".exchanges[" + strconv.Itoa(k) + "]")
				return c.invalid("unknown transport %q", e.Transport)
			}
		}
		c.pop()
	}
	c.path = c.path[:0]
	if err := c.walk(reflect.ValueOf(j).Elem(), 0); err != nil {
		return err
	}
	if err := c.hops(j); err != nil {
		return err
	}
	c.noteDropped(j)
	return nil
}

// stageNames lists the stages in order: "address, dns, ...".
func stageNames() string {
	names := make([]string, len(trace.StageOrder))
	for i, k := range trace.StageOrder {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// hops checks that every HTTP hop names an exchange of the HTTP stage,
// since renderers look the hop's bytes up by that index.
func (c *checker) hops(j *trace.Journey) error {
	for i, s := range j.Stages {
		if s.HTTP == nil {
			continue
		}
		for k, h := range s.HTTP.Hops {
			if h.Exchange < 0 || h.Exchange >= len(s.Exchanges) {
				c.path = append(c.path[:0], "stages["+strconv.Itoa(i)+"].http.hops["+strconv.Itoa(k)+"].exchange")
				return c.invalid("exchange %d is not one of the stage's %d exchanges", h.Exchange, len(s.Exchanges))
			}
		}
	}
	return nil
}

// mayBeNegative lists the integers that have a meaning below zero; every
// other count, size, index or status in the trace is zero or more.
var mayBeNegative = map[string]int64{
	"HTTPHop.ContentLength": -1, // the response gave no Content-Length
}

// integer checks one integer field of a struct of type t.
func (c *checker) integer(t reflect.Type, f reflect.StructField, v int64) error {
	if min, ok := mayBeNegative[t.Name()+"."+f.Name]; ok {
		if v < min {
			return c.invalid("%d is less than %d", v, min)
		}
		return nil
	}
	if v < 0 {
		return c.invalid("negative value %d", v)
	}
	if jsonName(f) == "depth" && v > MaxDepth {
		return c.invalid("depth %d is more than %d", v, MaxDepth)
	}
	return nil
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	messageType  = reflect.TypeFor[trace.Message]()
	exchangeType = reflect.TypeFor[trace.Exchange]()
)

// maxWalkDepth bounds the walk's recursion; MaxNesting already bounds the
// document, so this only guards against a cycle, which JSON cannot make.
const maxWalkDepth = 2 * MaxNesting

// walk checks v and everything under it: every duration, every message's
// fields against its bytes, no null entry in a list.
func (c *checker) walk(v reflect.Value, depth int) error {
	if depth > maxWalkDepth {
		return c.invalid("nested too deeply")
	}
	t := v.Type()
	switch {
	case t == durationType:
		d := time.Duration(v.Int())
		if d < 0 {
			return c.invalid("negative time %d ns", d)
		}
		if d > MaxOffset {
			return c.invalid("time %d ns is more than %s", d, MaxOffset)
		}
		return nil
	case t == messageType:
		return c.message(v.Addr().Interface().(*trace.Message))
	case t == exchangeType:
		c.exchanges++
		if c.exchanges > MaxExchanges {
			return fmt.Errorf("%w: more than %d exchanges", ErrTooLarge, MaxExchanges)
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return c.walk(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			c.push("." + jsonName(f))
			fv := v.Field(i)
			switch fv.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				if f.Type != durationType {
					if err := c.integer(t, f, fv.Int()); err != nil {
						return err
					}
				}
			}
			if err := c.walk(fv, depth+1); err != nil {
				return err
			}
			c.pop()
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			c.push("[" + strconv.Itoa(i) + "]")
			e := v.Index(i)
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return c.invalid("null instead of a value")
			}
			if err := c.walk(e, depth+1); err != nil {
				return err
			}
			c.pop()
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			c.push("[" + fmt.Sprintf("%q", it.Key()) + "]")
			if err := c.walk(it.Value(), depth+1); err != nil {
				return err
			}
			c.pop()
		}
	}
	return nil
}

// jsonName is a struct field's name in the document.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}

// message checks one direction of an exchange: a sane dropped count and
// every field, nested ones included, inside the kept bytes, so a renderer
// can slice Bytes[Offset:Offset+Length] without a check of its own.
func (c *checker) message(m *trace.Message) error {
	if m.Dropped < 0 {
		return c.invalid("negative dropped byte count %d", m.Dropped)
	}
	if m.Dropped > MaxDropped {
		return c.invalid("dropped byte count %d is more than %d", m.Dropped, int64(MaxDropped))
	}
	if m.Decrypted != nil && len(m.Decrypted) != len(m.Bytes) {
		// Fields locate decrypted parts by the wire's offsets: the two
		// must be the same length for a renderer to slice either.
		return c.invalid("decrypted holds %d bytes where the message has %d", len(m.Decrypted), len(m.Bytes))
	}
	if r := m.Records; r != nil {
		if r.Records != nil {
			return c.invalid("records inside records: TLS records carry the message, not other records")
		}
		c.push(".records")
		if err := c.message(r); err != nil {
			return err
		}
		c.pop()
	}
	c.push(".fields")
	defer c.pop()
	c.fields = 0
	return c.fieldList(&m.Fields, len(m.Bytes), 1)
}

// fieldList checks a list of fields; past MaxFields in the journey it
// drops the rest of the list (counted in c.dropped).
func (c *checker) fieldList(list *[]trace.Field, size, depth int) error {
	fields := *list
	if len(fields) > 0 && depth > MaxFieldDepth {
		return c.invalid("fields nest more than %d deep", MaxFieldDepth)
	}
	for i := range fields {
		if c.fields == MaxFields {
			c.drop(fields[i:])
			// A copy, so the dropped fields' array can be freed.
			*list = append([]trace.Field(nil), fields[:i]...)
			return nil
		}
		f := &fields[i]
		c.push("[" + strconv.Itoa(i) + "]")
		c.fields++
		switch {
		case f.Offset < 0 || f.Length < 0:
			return c.invalid("negative offset %d or length %d", f.Offset, f.Length)
		case f.Offset > size || f.Length > size-f.Offset:
			return c.invalid("offset %d + length %d is past the message's %d bytes", f.Offset, f.Length, size)
		}
		c.push(".children")
		if err := c.fieldList(&f.Children, size, depth+1); err != nil {
			return err
		}
		c.pop()
		c.pop()
	}
	return nil
}

// drop counts fields (and their children) not kept, for the stage being
// walked.
func (c *checker) drop(fields []trace.Field) {
	n := 0
	var count func([]trace.Field, int)
	count = func(fs []trace.Field, depth int) {
		for i := range fs {
			n++
			if depth < MaxFieldDepth {
				count(fs[i].Children, depth+1)
			}
		}
	}
	count(fields, 1)
	stage := -1
	if len(c.path) >= 2 && c.path[0] == ".stages" {
		stage, _ = strconv.Atoi(strings.Trim(c.path[1], "[]"))
	}
	if c.dropped == nil {
		c.dropped = map[int]int{}
	}
	c.dropped[stage] += n
}

// noteDropped tells, in each stage that lost some, how many annotated
// fields were not kept: a capped count says it is capped.
func (c *checker) noteDropped(j *trace.Journey) {
	for i, n := range c.dropped {
		if i < 0 || i >= len(j.Stages) {
			continue
		}
		j.Stages[i].Notes = append(j.Stages[i].Notes, fmt.Sprintf(
			"this replay keeps the first %d annotated fields of a message; %d more in this stage are not annotated here (every byte is still shown)", MaxFields, n))
	}
}

// jsonKind names what a Go type looks like in JSON, so an error speaks of
// the file, not of journey's source code.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if t == reflect.TypeFor[time.Time]() {
			return "a time"
		}
		return "an object"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a list"
	case reflect.Array:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number from 0"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}

// article puts "a" or "an" before a JSON value's kind ("string", "object").
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
