package router

import (
	"embed"
	"io/fs"
	"sync"
)

//go:embed demo/urls.py demo/logo.png demo/journey_views.py
var demoFiles embed.FS

// DemoName is how the demo site's URL configuration is named in 404 pages.
const DemoName = "demo/urls.py"

// demoAssets are the demo site's files, by the names static() gives them.
func demoAssets() fs.FS {
	sub, err := fs.Sub(demoFiles, "demo")
	if err != nil {
		panic("router: the embedded demo files: " + err.Error()) // "demo" is a valid path: cannot happen
	}
	return sub
}

var demo = sync.OnceValues(func() (*URLConf, error) {
	src, err := demoFiles.ReadFile("demo/urls.py")
	if err != nil {
		return nil, err
	}
	return Parse(DemoName, src, demoAssets())
})

// Demo returns the demo site: the one the lab serves unless --urls names
// another. It covers every built-in view and every converter.
func Demo() *URLConf {
	c, err := demo()
	if err != nil {
		panic("router: the embedded demo site does not parse: " + err.Error()) // a build mistake, caught by its test
	}
	return c
}

// DemoSource is the demo site's URL file, for a teacher to copy.
func DemoSource() []byte {
	b, _ := demoFiles.ReadFile("demo/urls.py")
	return b
}

// Load returns the URL configuration in path, or the demo site when path
// is empty.
func Load(path string) (*URLConf, error) {
	if path == "" {
		return Demo(), nil
	}
	return ParseFile(path)
}

// ViewsSource is journey_views.py: the view helpers of a URL file as
// Python functions, so that Django itself can load the same file.
func ViewsSource() []byte {
	b, _ := demoFiles.ReadFile("demo/journey_views.py")
	return b
}
