package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// readBufSize is the size of the read-ahead buffer of every reader. Lines
// longer than it are assembled in the caller's buffer, so it bounds
// nothing: Limits do.
const readBufSize = 16 << 10

// maxEmptyReads is how many successive (0, nil) results of Read are
// tolerated before giving up with io.ErrNoProgress, as bufio does.
const maxEmptyReads = 100

// scratchKeep is the largest scratch buffer a reader keeps between
// replies; a larger one (left by a huge reply) is dropped so that one
// hostile reply does not pin its memory for the rest of the session.
const scratchKeep = 256 << 10

// errLineTooLong is returned by lineReader.readLine when the line does not
// fit the bound it was given. Callers turn it into an error wrapping
// ErrLimit that says which bound it was.
var errLineTooLong = errors.New("line too long")

// errBadRead reports an io.Reader that returned an impossible count.
var errBadRead = errors.New("wire: io.Reader returned an invalid count")

// lineReader is the buffered reader under the three protocol readers: it
// splits a byte stream into lines ended by LF (the caller judges whether a
// CR came before it) and reads counted octets (IMAP literals). It never
// holds more than readBufSize bytes of its own; a line is appended to a
// buffer the caller owns and bounds.
type lineReader struct {
	rd   io.Reader
	buf  []byte
	r, w int   // buf[r:w] is buffered, unread data
	err  error // error from rd, returned once buf[r:w] is used up
}

func newLineReader(rd io.Reader) *lineReader {
	return &lineReader{rd: rd, buf: make([]byte, readBufSize)}
}

// buffered reports how many bytes have been read from the underlying
// reader but not yet consumed.
func (b *lineReader) buffered() int { return b.w - b.r }

// fill reads into the empty buffer. A read error is kept in b.err.
func (b *lineReader) fill() {
	b.r, b.w = 0, 0
	for range maxEmptyReads {
		n, err := b.rd.Read(b.buf)
		if n < 0 || n > len(b.buf) {
			b.err = errBadRead
			return
		}
		b.w = n
		if err != nil {
			b.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	b.err = io.ErrNoProgress
}

// takeErr returns the pending read error and forgets it, so that a later
// call reads again (a timeout is not the end of the stream).
func (b *lineReader) takeErr() error {
	err := b.err
	b.err = nil
	return err
}

// readLine appends the next line, through its LF, to dst. If the line
// would be longer than max octets (LF included) it stops with
// errLineTooLong without appending the chunk that overflowed, so dst never
// grows by more than max. At the end of the stream it returns io.EOF if no
// byte of the line was read and io.ErrUnexpectedEOF otherwise; any other
// read error is returned as is. On error dst holds the bytes consumed.
func (b *lineReader) readLine(dst []byte, max int) ([]byte, error) {
	n := 0
	for {
		if b.r < b.w {
			chunk := b.buf[b.r:b.w]
			i := bytes.IndexByte(chunk, '\n')
			if i >= 0 {
				chunk = chunk[:i+1]
			}
			if n+len(chunk) > max {
				return dst, errLineTooLong
			}
			dst = append(dst, chunk...)
			n += len(chunk)
			b.r += len(chunk)
			if i >= 0 {
				return dst, nil
			}
			continue
		}
		if b.err != nil {
			err := b.takeErr()
			if err == io.EOF && n > 0 {
				err = io.ErrUnexpectedEOF
			}
			return dst, err
		}
		b.fill()
	}
}

// readFull fills p with the next len(p) octets. The end of the stream
// before p is full is io.ErrUnexpectedEOF. Large reads bypass the buffer,
// so that literal contents are copied once, from the reader into p.
func (b *lineReader) readFull(p []byte) error {
	empty := 0
	for len(p) > 0 {
		if b.r < b.w {
			k := copy(p, b.buf[b.r:b.w])
			b.r += k
			p = p[k:]
			continue
		}
		if b.err != nil {
			err := b.takeErr()
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if len(p) < len(b.buf) {
			b.fill()
			continue
		}
		n, err := b.rd.Read(p)
		if n < 0 || n > len(p) {
			return errBadRead
		}
		p = p[n:]
		if err != nil {
			b.err = err
		} else if n == 0 {
			empty++
			if empty >= maxEmptyReads {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

// readFailure turns an error of lineReader into the error a protocol
// reader returns. started says whether any byte of the current response
// was consumed: the end of the stream before that is a clean close and is
// returned as io.EOF itself. sticky reports whether the stream's framing
// is lost, so that every later call must fail too.
func readFailure(what string, started bool, err error) (wrapped error, sticky bool) {
	switch {
	case err == io.EOF && !started:
		return io.EOF, false
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return fmt.Errorf("wire: %s: connection closed in the middle of a response: %w", what, io.ErrUnexpectedEOF), true
	default:
		return fmt.Errorf("wire: %s: %w", what, err), started
	}
}

// lineLimitError reports a line that did not fit: either MaxLine, or what
// was left of MaxResponse (whichever was smaller when the line began).
func lineLimitError(what string, line, max int, maxIsLine bool) error {
	if maxIsLine {
		return fmt.Errorf("wire: %s: line %d longer than MaxLine (%d octets): %w", what, line, max, ErrLimit)
	}
	return fmt.Errorf("wire: %s: line %d exceeds what is left of MaxResponse (%d octets): %w", what, line, max, ErrLimit)
}

// lineBound returns the bound for a line that starts used octets into a
// response: the smaller of MaxLine and what remains of MaxResponse, and
// whether it is MaxLine.
func lineBound(l Limits, used int) (int, bool) {
	rem := l.MaxResponse - int64(used)
	if rem < int64(l.MaxLine) {
		if rem < 0 {
			rem = 0
		}
		return int(rem), false
	}
	return l.MaxLine, true
}

// splitLine returns the content of a line read by readLine (without its
// line ending) and whether it ended with a bare LF instead of CRLF.
func splitLine(line []byte) (content []byte, bareLF bool) {
	content = line[:len(line)-1]
	if n := len(content); n > 0 && content[n-1] == '\r' {
		return content[:n-1], false
	}
	return content, true
}

// keepScratch returns buf emptied for reuse, or nil if it grew too large to
// keep.
func keepScratch[T any](buf []T, max int) []T {
	if cap(buf) > max {
		return nil
	}
	return buf[:0]
}

// errorf is fmt.Errorf with the package prefix "wire: ".
func errorf(format string, args ...any) error {
	return fmt.Errorf("wire: "+format, args...)
}

// span is a half-open byte range [start, end) in a response's Raw bytes.
type span struct{ start, end int }
