package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// variant is one way of serving and reading stockstream in a scenario that
// compares ways side by side: the variants of a scenario run alternately,
// round after round, so that each sees the machine as the others do.
type variant struct {
	Label string // the table's server column
	// TLS serves HTTPS with a self-signed certificate: every stream is an
	// HTTP/2 request on a TLS connection of its own.
	TLS bool
	// Token starts the server with --subscribe-key: every stream sends a
	// token minted with it for every symbol.
	Token bool
	// Delay starts the server with --subscribe-key --anonymous delayed
	// --anonymous-delay Delay: the streams, without a token, are delayed
	// readers.
	Delay time.Duration
}

// secrets are the certificate and keys the variants use, made once per
// run in the bin directory.
type secrets struct {
	CertFile, KeyFile string
	// SubscribeKeyFile holds the subscribe key (off the command line).
	SubscribeKeyFile string
	Token            string // for every symbol, valid for the whole run
}

// makeSecrets writes a self-signed certificate for 127.0.0.1 and mints a
// subscriber token with the stockstream binary's token command.
func makeSecrets(binDir string) (*secrets, error) {
	s := &secrets{CertFile: filepath.Join(binDir, "tls-cert.pem"), KeyFile: filepath.Join(binDir, "tls-key.pem")}
	if err := writeCertificate(s.CertFile, s.KeyFile); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	key := hex.EncodeToString(raw)
	s.SubscribeKeyFile = filepath.Join(binDir, "subscribe-key")
	if err := os.WriteFile(s.SubscribeKeyFile, []byte(key+"\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(binDir, "stockstream"), "token", "--symbols", "*", "--ttl", "12h")
	cmd.Env = append(os.Environ(), "STOCKSTREAM_SUBSCRIBE_KEY="+key)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("stockstream token: %v: %s", err, stderr.Bytes())
	}
	s.Token = strings.TrimSpace(string(out))
	return s, nil
}

// writeCertificate writes a self-signed ECDSA certificate for 127.0.0.1,
// valid for a day, and its key, as PEM files.
func writeCertificate(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// serverArgs are the flags stockstream is started with for v.
func (v variant) serverArgs(sec *secrets) []string {
	var args []string
	if v.TLS {
		args = append(args, "--tls-cert", sec.CertFile, "--tls-key", sec.KeyFile)
	}
	if v.Token || v.Delay > 0 {
		args = append(args, "--subscribe-key-file", sec.SubscribeKeyFile)
	}
	if v.Delay > 0 {
		args = append(args, "--anonymous", "delayed", "--anonymous-delay", v.Delay.String())
	}
	return args
}

// loadgenArgs are the load generator's flags for v; the token is given
// as <token> in the command line shown.
func (v variant) loadgenArgs(sec *secrets, shown bool) []string {
	var args []string
	if v.TLS {
		args = append(args, "--ca", sec.CertFile)
	}
	if v.Token {
		tok := sec.Token
		if shown {
			tok = "<token>"
		}
		args = append(args, "--stream-token", tok)
	}
	if v.Delay > 0 {
		args = append(args, "--delay", v.Delay.String())
	}
	return args
}

// scheme is the stream and publish URLs' scheme for v.
func (v variant) scheme() string {
	if v.TLS {
		return "https"
	}
	return "http"
}
