// The module's path is chosen for the order of package initialisation,
// not for publishing: Go initialises packages in the order of their
// import paths, dependencies first, and "early/..." sorts before
// "github.com/charmbracelet/bubbletea", whose init would otherwise ask the
// terminal for its background and wait up to 5 seconds for an answer
// (see termquiet.go). The main module replaces it with this directory.
module early/termquiet

go 1.26.0

require github.com/charmbracelet/lipgloss v1.1.0
