package trace

// Connect is the connect stage's result: TCP, and TLS for https.
type Connect struct {
	Remote string `json:"remote,omitempty"`
	Local  string `json:"local,omitempty"`
}

// HTTP is the HTTP stage's result.
type HTTP struct {
	Status int `json:"status,omitempty"`
}
