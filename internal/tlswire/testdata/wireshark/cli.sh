#!/bin/bash
# cli.sh JOURNEY: capture one https journey of the journey binary through its lab with
# tshark on lo, with --keylog, then lay the trace's handshake records and the records of the
# HTTP exchange end to end per side (trace2dump.py), so that `python3 compare.py cli`
# compares the whole CLI path with Wireshark's dissection.
J=${1:-journey}
rm -f /tmp/capcli.pcap /tmp/capcli.keys /tmp/capcli.trace /tmp/capcli.out
tshark -i lo -f 'tcp' -w /tmp/capcli.pcap >/tmp/capcli.out 2>&1 &
P=$!
for i in $(seq 1 30); do grep -q "Capture started" /tmp/capcli.out && break; sleep 1; done
"$J" --lab --lab-latency 0 --json --keylog /tmp/capcli.keys https://www.example.com/ > /tmp/capcli.trace
sleep 1
kill $P; wait $P 2>/dev/null
tshark -r /tmp/capcli.pcap -o tls.keylog_file:/tmp/capcli.keys -Y tls -T pdml 2>/dev/null > /tmp/capcli.pdml
python3 "$(dirname "$0")/trace2dump.py" /tmp/capcli.trace /tmp/capcli.json
