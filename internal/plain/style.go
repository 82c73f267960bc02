package plain

// styles colour the report when asked; without colour, meaning is kept by
// the words themselves.
type styles struct{ color bool }

func newStyles(color bool) styles { return styles{color: color} }

func (s styles) wrap(code, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s styles) bold(t string) string    { return s.wrap("1", t) }
func (s styles) dim(t string) string     { return s.wrap("2", t) }
func (s styles) heading(t string) string { return s.wrap("1;36", t) }
func (s styles) good(t string) string    { return s.wrap("32", t) }
func (s styles) bad(t string) string     { return s.wrap("1;31", t) }
func (s styles) note(t string) string    { return s.wrap("33", t) }
