import xml.etree.ElementTree as ET, json, base64, sys
M = {
'tls.record':'TLS record:*','tls.record.content_type':'content type','tls.record.opaque_type':'content type',
'tls.record.version':'legacy version','tls.record.length':'length','tls.handshake':'@message',
'tls.handshake.type':'handshake type','tls.handshake.length':'length','tls.handshake.version':'legacy version',
'tls.handshake.random':'random','tls.handshake.random_time':'gmt unix time','tls.handshake.random_bytes':'random bytes',
'tls.handshake.session_id_length':'session id length','tls.handshake.session_id':'session id',
'tls.handshake.cipher_suites_length':'cipher suites length','tls.handshake.ciphersuites':'cipher suites',
'tls.handshake.ciphersuite':'cipher suite','tls.handshake.comp_methods_length':'compression methods length',
'tls.handshake.comp_methods':'compression methods','tls.handshake.comp_method':'compression method',
'tls.handshake.extensions_length':'extensions length|certificate extensions length','tls.handshake.extension.type':'type','tls.handshake.extension.len':'length',
'tls.handshake.extensions_server_name_list_len':'server name list length','tls.handshake.extensions_server_name_type':'server name type',
'tls.handshake.extensions_server_name_len':'server name length','tls.handshake.extensions_server_name':'server name',
'tls.handshake.extensions_status_request_type':'certificate status type','tls.handshake.extensions_status_request_responder_ids_len':'responder ID list length',
'tls.handshake.extensions_status_request_exts_len':'request extensions length','tls.handshake.extensions_supported_groups_length':'supported groups length',
'tls.handshake.extensions_supported_groups':'supported groups','tls.handshake.extensions_supported_group':'group',
'tls.handshake.extensions_ec_point_formats_length':'point formats length','tls.handshake.extensions_ec_point_formats':'point formats',
'tls.handshake.extensions_ec_point_format':'point format','tls.handshake.sig_hash_alg_len':'signature hash algorithms length',
'tls.handshake.sig_hash_algs':'signature hash algorithms','tls.handshake.sig_hash_alg':'signature algorithm',
'tls.handshake.sig_hash_hash':'signature hash algorithm hash','tls.handshake.sig_hash_sig':'signature hash algorithm signature',
'tls.handshake.extensions_reneg_info_len':'renegotiation info length','tls.handshake.extensions_alpn_len':'ALPN extension length',
'tls.handshake.extensions_alpn_list':'ALPN protocols','tls.handshake.extensions_alpn_str_len':'ALPN string length',
'tls.handshake.extensions_alpn_str':'ALPN next protocol','tls.handshake.extensions.supported_versions_len':'supported versions length',
'tls.handshake.extensions.supported_version':'supported version','tls.handshake.extensions_key_share_client_length':'client key share length',
'tls.handshake.extensions_key_share_group':'group','tls.handshake.extensions_key_share_key_exchange_length':'key exchange length',
'tls.handshake.extensions_key_share_key_exchange':'key exchange','tls.handshake.ja3':'=JA3','tls.handshake.ja3_full':'=JA3 fullstring',
'tls.handshake.ja3s':'=JA3S','tls.handshake.ja3s_full':'=JA3S fullstring','tls.change_cipher_spec':'change cipher spec message',
'tls.handshake.certificate_request_context_length':'certificate request context length','tls.handshake.certificates_length':'certificates length',
'tls.handshake.certificates':'certificates','tls.handshake.certificate_length':'certificate length','tls.handshake.certificate':'certificate',
'tls.handshake.client_cert_vrfy.sig_len':'signature length','tls.handshake.client_cert_vrfy.sig':'signature','tls.handshake.verify_data':'verify data',
'tls.app_data':'~encrypted data','tls.app_data_proto':'~application data protocol','tls.alert_message':'alert message',
'tls.alert_message.level':'alert level','tls.alert_message.desc':'alert description','tls.handshake.server_curve_type':'curve type',
'tls.handshake.server_named_curve':'named curve','tls.handshake.server_point_len':'public key length','tls.handshake.server_point':'public key',
'tls.handshake.client_point_len':'public key length','tls.handshake.client_point':'public key','tls.handshake.sig_len':'signature length',
'tls.handshake.sig':'signature','x509af.signedCertificate_element':'signed part (tbsCertificate)','x509af.version':'version',
'x509af.serialNumber':'serial number','x509af.signature_element':'signature algorithm','x509af.algorithm.id':'algorithm',
'x509af.issuer':'issuer','x509af.rdnSequence':'issuer|subject','x509if.rdnSequence':'issuer|subject','x509if.RDNSequence_item':'relative distinguished name',
'x509if.RelativeDistinguishedName_item_element':'@attribute','x509if.oid':'type','x509sat.DirectoryString':'value','x509sat.printableString':'value',
'x509sat.uTF8String':'value','x509af.validity_element':'validity','x509af.notBefore':'not before','x509af.notAfter':'not after',
'x509af.utcTime':'not before|not after','x509af.subject':'subject','x509af.subjectPublicKeyInfo_element':'subject public key info',
'x509af.algorithm_element':'algorithm','pkcs1.ECParameters':'parameters','pkcs1.namedCurve':'parameters','x509af.subjectPublicKey':'subject public key',
'ber.bitstring.padding':'padding (unused bits)','x509af.extensions':'extensions','x509af.Extension_element':'@extension',
'x509af.extension.id':'extension id','x509af.critical':'critical','x509ce.KeyUsage':'value','x509ce.KeyPurposeIDs':'value','x509ce.KeyPurposeId':'key purpose',
'x509ce.AuthorityKeyIdentifier_element':'value','x509ce.keyIdentifier':'key identifier','x509ce.SubjectKeyIdentifier':'value',
'x509ce.BasicConstraintsSyntax_element':'value','x509ce.cA':'cA','x509ce.pathLenConstraint':'path length constraint',
'x509ce.GeneralNames':'value','x509ce.GeneralName':'DNS name|IP address','x509ce.dNSName':'DNS name','x509ce.IPAddress.ipv4':'IP address',
'x509ce.IPAddress.ipv6':'IP address','x509af.algorithmIdentifier_element':'signature algorithm','x509af.encrypted':'signature',
}
for b in ['digitalSignature','contentCommitment','keyEncipherment','dataEncipherment','keyAgreement','keyCertSign','cRLSign','encipherOnly','decipherOnly']:
    M['x509ce.KeyUsage.'+b] = '~'+('contentCommitment (nonRepudiation)' if b=='contentCommitment' else b)
total_missing=set(); disagree=[]; checked=0
for V in sys.argv[1:]:
    t=ET.parse(f'/tmp/cap{V}.pdml'); j=json.load(open(f'/tmp/cap{V}.json'))
    byts={s: base64.b64decode(j[s+'_bytes']) for s in ('client','server')}
    plain={s: base64.b64decode(j[s+'_plain']) if j.get(s+'_plain') else byts[s] for s in ('client','server')}
    # journey: name -> list of (bytes hex, value)
    J={}
    def walk(fs,side,parent=None):
        for f in fs or []:
            n=f['name']; b=plain[side][f['offset']:f['offset']+f['length']].hex(); w=byts[side][f['offset']:f['offset']+f['length']].hex()
            keys=[n]
            if n.startswith('TLS record:'): keys.append('TLS record:*')
            kids=f.get('children') or []
            if kids and kids[0]['name']=='handshake type': keys.append('@message')
            if kids and kids[0]['name']=='type' and parent=='relative distinguished name': keys.append('@attribute')
            if kids and kids[0]['name']=='extension id': keys.append('@extension')
            for k in keys: J.setdefault(k,[]).append((b,w,f.get('value','')))
            walk(kids,side,n)
    walk(j['client'],'client'); walk(j['server'],'server')
    rnd=byts['client'][11:43].hex(); stream=None
    for pkt in t.iter('packet'):
        if any(f.get('name')=='tls.handshake.random' and f.get('value')==rnd for f in pkt.iter('field')):
            stream=[g.get('show') for g in pkt.iter('field') if g.get('name')=='tcp.stream'][0]
    for pkt in t.iter('packet'):
        s=[g.get('show') for g in pkt.iter('field') if g.get('name')=='tcp.stream']
        if not s or s[0]!=stream: continue
        for proto in pkt.iter('proto'):
            if proto.get('name') in ('geninfo','frame','eth','ip','tcp','http','sll','null','data-text-lines','media','_ws.expert'): continue
            for f in proto.iter('field'):
                n=f.get('name')
                if not n or n.startswith(('_ws','tcp.','http.','expert','data')) or f.get('hide')=='yes': continue
                m=M.get(n)
                if m is None: total_missing.add(n); continue
                if m.startswith('='):
                    vals=[x[2] for x in J.get(m[1:],[])]
                    ws=f.get('show')
                    checked+=1
                    if not any(v.startswith(ws) for v in vals): disagree.append((V,n,ws,vals[:2]))
                    continue
                names=m.lstrip('~').split('|')
                if not any(x in J for x in names): total_missing.add(n+' (mapped to '+m+', absent)'); continue
                if m.startswith('~') or f.get('value') is None: continue
                val=f.get('value').lower()
                if val=='': continue
                checked+=1
                def ok(b):
                    # journey's DER fields include the element's tag and length bytes
                    return b==val or (b.endswith(val) and 4 <= len(b)-len(val) <= 16)
                if not any(ok(b) or ok(w) for x in names for (b,w,_) in J.get(x,[])):
                    disagree.append((V,n,f.get('showname'),val[:40]))
print('fields checked byte for byte:',checked)
print('disagreements:',len(disagree))
for d in disagree[:40]: print('  ',d)
print('Wireshark kinds journey lacks:',len(total_missing))
for m in sorted(total_missing): print('  ',m)
