# trace2dump.py TRACE OUT: a journey trace's TLS records, both sides, in TestDump's shape.
import json, base64, sys
t = json.load(open(sys.argv[1]))
side = {'client': [b'', [], b''], 'server': [b'', [], b'']}
def shift(fs, d):
    for f in fs or []:
        f['offset'] += d
        shift(f.get('children'), d)
    return fs or []
def add(sd, m):
    b = base64.b64decode(m.get('bytes', ''))
    p = base64.b64decode(m['decrypted']) if m.get('decrypted') else b
    d = len(side[sd][0])
    side[sd][0] += b; side[sd][2] += p; side[sd][1] += shift(m.get('fields'), d)
for s in t['stages']:
    for e in s.get('exchanges') or []:
        if e['kind'] == 'tls':
            add('client', e['sent']); add('server', e['received'])
        if e['kind'] == 'http' and e['sent'].get('records'):
            add('client', e['sent']['records']); add('server', e['received']['records'])
out = {}
for sd in side:
    out[sd] = side[sd][1]
    out[sd + '_bytes'] = base64.b64encode(side[sd][0]).decode()
    out[sd + '_plain'] = base64.b64encode(side[sd][2]).decode()
json.dump(out, open(sys.argv[2], 'w'))
