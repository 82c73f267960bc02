package cli_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// headerServer serves, on loopback, one response with n small headers
// ("X:0"), under curl's 300 KiB limit on a response's head.
func headerServer(t *testing.T, n int) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				w := bufio.NewWriter(c)
				w.WriteString("HTTP/1.1 200 OK\r\n")
				for i := range n {
					fmt.Fprintf(w, "X:%d\r\n", i%10)
				}
				w.WriteString("Content-Length: 2\r\n\r\nok")
				w.Flush()
			}(c)
		}
	}()
	return l.Addr().String()
}

// TestReplayReadsWhatRecordWrites: a response of 61,000 headers makes a
// recording of about 40 MB and 183,000 annotated fields; replay reads it,
// says which annotations it leaves out, and its memory stays a small
// multiple of the file.
func TestReplayReadsWhatRecordWrites(t *testing.T) {
	bin := journeyBinary(t)
	addr := headerServer(t, 61000)
	_, port, _ := net.SplitHostPort(addr)
	file := filepath.Join(t.TempDir(), "headers.json")
	rec := exec.Command(bin, "--plain", "--resolve", "www.example.com:"+port+":127.0.0.1", "--record", file, "http://www.example.com:"+port+"/")
	if out, err := rec.CombinedOutput(); err != nil {
		t.Fatalf("recording: %v\n%s", err, lastLines(string(out), 5))
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	replay := exec.Command(bin, "replay", "--plain", file)
	out, err := replay.Output()
	if err != nil {
		t.Fatalf("replay refused the recording: %v", err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(out)), " "), "not annotated here (every byte is still shown)") {
		t.Errorf("the report does not say fields were left out:\n%s", lastLines(string(out), 20))
	}
	if !strings.Contains(string(out), "journey complete") {
		t.Errorf("the replay does not end as the journey did:\n%s", lastLines(string(out), 5))
	}
	ru, ok := replay.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return
	}
	peak := ru.Maxrss << 10 // kilobytes on Linux
	t.Logf("a %d MB recording, replayed in %d MB", fi.Size()>>20, peak>>20)
	if peak > 4*fi.Size() {
		t.Errorf("replaying %d MB took %d MB, more than four times the file", fi.Size()>>20, peak>>20)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
