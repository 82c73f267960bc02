package trace

// Gateway is the gateway stage's result: the server turning the request's
// bytes into a WSGI-style environment.
type Gateway struct {
	Reenacted bool `json:"reenacted,omitempty"` // live: run here on the sent bytes, not by the real site
}

// Router is the router stage's result: the URL patterns tried and the view.
type Router struct {
	View string `json:"view,omitempty"`
}
