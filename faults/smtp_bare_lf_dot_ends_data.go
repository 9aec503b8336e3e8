package faults

func init() {
	Register(Fault{
		Name:     "smtp-bare-lf-dot-ends-data",
		Protocol: SMTP,
		Description: "RFC 5321 4.1.1.4: a bare <LF>.<LF> in the message content ends the mail data " +
			"as <CRLF>.<CRLF> would (SMTP smuggling, CVE-2023-51764)",
		OnData: func(e *Exchange) { e.Data = bareLFDotToCRLF(e.Raw) },
	})
}

// bareLFDotToCRLF rewrites each "\n.\n" whose first LF is not preceded by
// CR into "\r\n.\r\n", within one piece of content.
func bareLFDotToCRLF(p []byte) []byte {
	out := make([]byte, 0, len(p)+8)
	for i := 0; i < len(p); i++ {
		if p[i] == '\n' && (i == 0 || p[i-1] != '\r') && i+2 < len(p) && p[i+1] == '.' && p[i+2] == '\n' {
			out = append(out, "\r\n.\r\n"...)
			i += 2
			continue
		}
		out = append(out, p[i])
	}
	return out
}
