#!/bin/bash
# capture.sh V: capture one lab TLS session (V = 12 or 13) with tshark on lo: it runs the
# package's TestDump (journey's annotation, bytes and key log) under the capture, then has
# tshark dissect it with the key log. Needs tshark and the right to capture on lo.
# Then: python3 compare.py 13 12   (the kinds Wireshark names that journey lacks; the
# fields whose bytes disagree).
V=$1
rm -f /tmp/cap$V.pcap /tmp/cap$V.keys /tmp/cap$V.json /tmp/cap$V.out
tshark -i lo -f 'tcp' -w /tmp/cap$V.pcap >/tmp/cap$V.out 2>&1 &
P=$!
for i in $(seq 1 30); do grep -q "Capture started" /tmp/cap$V.out && break; sleep 1; done
cd "$(dirname "$0")/../.." && DUMP=$V DUMP_OUT=/tmp/cap$V.json DUMP_KEYLOG=/tmp/cap$V.keys go test -count=1 -run TestDump .  >/dev/null
sleep 1
kill $P; wait $P 2>/dev/null
tshark -r /tmp/cap$V.pcap -o tls.keylog_file:/tmp/cap$V.keys -Y tls -T pdml 2>/dev/null > /tmp/cap$V.pdml
tshark -r /tmp/cap$V.pcap -o tls.keylog_file:/tmp/cap$V.keys -Y tls 2>/dev/null
