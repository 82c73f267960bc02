package x509fields

import (
	"encoding/asn1"
	"fmt"
)

// attributeName names a name's attribute type as RFC 4514 writes it.
func attributeName(oid asn1.ObjectIdentifier) string {
	switch oid.String() {
	case "2.5.4.3":
		return "CN (common name)"
	case "2.5.4.6":
		return "C (country)"
	case "2.5.4.7":
		return "L (locality)"
	case "2.5.4.8":
		return "ST (state or province)"
	case "2.5.4.9":
		return "street"
	case "2.5.4.10":
		return "O (organization)"
	case "2.5.4.11":
		return "OU (organizational unit)"
	case "2.5.4.5":
		return "serial number"
	case "1.2.840.113549.1.9.1":
		return "email address"
	}
	return oid.String()
}

var oidNames = map[string]string{
	"1.2.840.10045.4.3.2":     "ecdsa-with-SHA256",
	"1.2.840.10045.4.3.3":     "ecdsa-with-SHA384",
	"1.2.840.10045.4.3.4":     "ecdsa-with-SHA512",
	"1.2.840.113549.1.1.1":    "rsaEncryption",
	"1.2.840.113549.1.1.5":    "sha1WithRSAEncryption",
	"1.2.840.113549.1.1.10":   "RSASSA-PSS",
	"1.2.840.113549.1.1.11":   "sha256WithRSAEncryption",
	"1.2.840.113549.1.1.12":   "sha384WithRSAEncryption",
	"1.2.840.113549.1.1.13":   "sha512WithRSAEncryption",
	"1.2.840.10045.2.1":       "id-ecPublicKey",
	"1.3.101.112":             "Ed25519",
	"1.2.840.10045.3.1.7":     "secp256r1 (P-256)",
	"1.3.132.0.34":            "secp384r1 (P-384)",
	"1.3.132.0.35":            "secp521r1 (P-521)",
	"2.5.29.14":               "subjectKeyIdentifier",
	"2.5.29.15":               "keyUsage",
	"2.5.29.17":               "subjectAltName",
	"2.5.29.19":               "basicConstraints",
	"2.5.29.30":               "nameConstraints",
	"2.5.29.31":               "cRLDistributionPoints",
	"2.5.29.32":               "certificatePolicies",
	"2.5.29.35":               "authorityKeyIdentifier",
	"2.5.29.37":               "extKeyUsage",
	"1.3.6.1.5.5.7.1.1":       "authorityInfoAccess",
	"1.3.6.1.4.1.11129.2.4.2": "signedCertificateTimestampList",
	"1.3.6.1.5.5.7.3.1":       "serverAuth",
	"1.3.6.1.5.5.7.3.2":       "clientAuth",
	"1.3.6.1.5.5.7.48.1":      "OCSP",
	"1.3.6.1.5.5.7.48.2":      "caIssuers",
}

func oidName(oid asn1.ObjectIdentifier) string {
	if n, ok := oidNames[oid.String()]; ok {
		return n
	}
	return oid.String()
}

// stringKind names an ASN.1 string type by its tag.
func stringKind(tag byte) string {
	switch tag {
	case 0x0c:
		return "UTF8String"
	case 0x13:
		return "PrintableString"
	case 0x14:
		return "TeletexString"
	case 0x16:
		return "IA5String"
	case 0x1e:
		return "BMPString"
	case 0x1c:
		return "UniversalString"
	}
	return fmt.Sprintf("tag 0x%02x", tag)
}
