package router_test

import (
	"fmt"

	"journey/internal/router"
)

func ExampleURLConf_Resolve() {
	conf, err := router.Parse("mysite/urls.py", []byte(`
urlpatterns = [
    path("articles/<int:year>/", template("<h1>{{ year }}</h1>"), name="articles-year"),
    path("blog/", include("blog")),
]

app_name = "blog"
urlpatterns = [
    path("<slug:slug>/", template("{{ slug }}"), name="post"),
]
`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := conf.Resolve("/blog/hello-world/")
	for _, t := range r.Tried {
		fmt.Printf("%-22s %-5v %s\n", t.Route, t.Matched, t.Why)
	}
	for _, c := range r.Match.Captures {
		fmt.Printf("%s: <%s> took %q, the view gets %s\n", c.Name, c.Converter, c.Text, c.Value)
	}
	url, _ := conf.Reverse("blog:post", map[string]string{"slug": "second-post"})
	fmt.Println(url)
	// Output:
	// articles/<int:year>/   false the pattern wants 'articles/' where the path has 'blog/hello-world/'
	// blog/                  true  prefix 'blog/' matched; 'hello-world/' is passed down to the group
	// blog/ <slug:slug>/     true  matched
	// slug: <slug> took "hello-world", the view gets 'hello-world'
	// /blog/second-post/
}
