// lackey.c: the streamed reader of valgrind lackey traces (include/base/lackey.h),
// shared by `osarch cachesim` (src/cmd/cachesim.c) and `osarch replay`
// (src/cmd/replay.c). The common record is read inline by their loops
// (trace_next_inline in lackey.h); everything else comes here.
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lackey.h"

// ---- the reader ----

// Hexadecimal digits by arithmetic, not a table: '0'-'9' are 0x30-0x39,
// 'A'-'F' 0x41-0x46 and 'a'-'f' 0x61-0x66, so the low nibble plus 9 for a
// letter (bit 6 set) is the value. Through a 256-entry table the address
// was 47% of the parser's time (issue 19).
static inline int is_hex(unsigned c)
{
	return (c - '0' < 10u) | ((c | 0x20u) - 'a' < 6u);
}

static inline unsigned hex_value(unsigned c) { return (c & 0xfu) + 9u * (c >> 6); }


int trace_open(struct trace_reader *r, const char *path, int lenient, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	r->lenient = lenient;
	if (!strcmp(path, "-")) {
		r->fd = 0;
		snprintf(r->name, sizeof r->name, "<stdin>");
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			snprintf(err, errlen, "%s: error: cannot open the trace: %s", path, strerror(errno));
			return -1;
		}
		// Streamed through a fixed buffer, so a pipe is fine; a directory is
		// not a trace (read(2) would fail with EISDIR after the set-up).
		struct stat st;
		if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s:1:1: error: a directory (expected a lackey trace file)", path);
			close(r->fd);
			r->fd = -1;
			return -1;
		}
		r->own_fd = 1;
		snprintf(r->name, sizeof r->name, "%s", path);
	}
	// A regular file (a path, or standard input redirected from one) is
	// mapped and read in place: no read(2) copy (9% of cachesim's time)
	// and no refill. Pipes and terminals go through the buffer.
	struct stat st;
	if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SIZE_MAX) {
		// MAP_POPULATE maps every page at once instead of faulting them in
		// a read-around at a time (14,651 faults on a 935 MB trace), but
		// only for a file under a quarter of memory: a larger one would be
		// read whole before its first line is, then again as pages are
		// reclaimed.
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
		int populate = pages > 0 && page > 0 && (uint64_t)st.st_size < (uint64_t)pages * (uint64_t)page / 4;
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), r->fd, 0);
		if (m != MAP_FAILED) {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			r->buf = m;
			r->len = (size_t)st.st_size;
			r->mapped = 1;
			r->eof = 1;
			return 0;
		}
	}
	r->buf = malloc(TRACE_BUF_BYTES);
	if (!r->buf) {
		snprintf(err, errlen, "osarch: out of memory");
		trace_close(r);
		return -1;
	}
	return 0;
}

void trace_close(struct trace_reader *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	if (r->mapped)
		munmap(r->buf, r->len);
	else
		free(r->buf);
	r->mapped = 0;
	r->buf = NULL;
	r->fd = -1;
	r->own_fd = 0;
}

// Moves the unread part to the front and reads more; 0, or -1 on a read error.
static int fill(struct trace_reader *r)
{
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (!r->eof && r->len < TRACE_BUF_BYTES) {
		ssize_t n = read(r->fd, r->buf + r->len, TRACE_BUF_BYTES - r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			r->eof = 1;
			break;
		}
		size_t old = r->len;
		r->len += (size_t)n;
		// A pipe delivers in small pieces: go on as soon as a line is whole.
		if (memchr(r->buf + old, '\n', (size_t)n))
			break;
	}
	return 0;
}

// The next line (without its newline) or NULL at the end; *bad = -1 on a
// read error. A line longer than the buffer is handed out truncated and its
// tail discarded.
static const char *next_line(struct trace_reader *r, size_t *len, int *bad)
{
	*bad = 0;
	for (;;) {
		char *p = r->buf + r->pos;
		size_t avail = r->len - r->pos;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;
		if (nl) {
			r->pos += (size_t)(nl - p) + 1;
			if (r->skip_rest) {
				r->skip_rest = 0;
				continue;
			}
			r->line++;
			*len = (size_t)(nl - p);
			return p;
		}
		if (r->eof) {
			r->pos = r->len;
			if (!avail || r->skip_rest)
				return NULL;
			r->line++;
			*len = avail; // the last line has no newline
			return p;
		}
		if (r->skip_rest) {
			r->pos = r->len;
		} else if (r->pos == 0 && r->len == TRACE_BUF_BYTES) {
			r->skip_rest = 1;
			r->pos = r->len;
			r->line++;
			*len = TRACE_BUF_BYTES;
			return p;
		}
		if (fill(r)) {
			*bad = -1;
			return NULL;
		}
	}
}

// Records r->error for line p (strict: the caller returns TR_ERROR;
// lenient: the line is counted and skipped). Returns 1 when the line is to
// be skipped, 0 when it is an error.
static int bad_line(struct trace_reader *r, const char *p, size_t len, size_t col, const char *what)
{
	if (r->lenient && r->skipped++)
		return 1;
	char shown[48];
	size_t n = len < sizeof shown - 1 ? len : sizeof shown - 1;
	for (size_t i = 0; i < n; i++)
		shown[i] = p[i] >= 32 && p[i] < 127 ? p[i] : '?';
	shown[n] = 0;
	snprintf(r->error, sizeof r->error, "%s:%" PRIu64 ":%zu: error: %s (line: '%s%s')", r->name, r->line,
		 col, what, shown, len > n ? "..." : "");
	if (r->lenient) {
		r->first_bad = r->line;
		return 1;
	}
	return 0;
}

// "ADDR,SIZE" then optional blanks to the end. Returns NULL or what is
// wrong, with *at where (for the column).
static const char *parse_ref(const unsigned char *q, const unsigned char *e, struct trace_rec *rec,
			     const unsigned char **at)
{
	const char *why = NULL;
#define FAIL(w) do { why = (w); goto bad; } while (0)
	uint64_t a = 0;
	int nd = 0;
	while (q < e && is_hex(*q)) {
		a = a << 4 | hex_value(*q);
		q++;
		nd++;
	}
	if (!nd)
		FAIL("expected a hexadecimal address");
	if (nd > 16) {
		q -= nd;
		FAIL("address wider than 64 bits");
	}
	if (q >= e || *q != ',')
		FAIL("expected ',' after the address");
	q++;
	uint32_t s = 0;
	const unsigned char *sz = q;
	nd = 0;
	while (q < e && *q >= '0' && *q <= '9') {
		s = s * 10 + (uint32_t)(*q - '0');
		q++;
		if (++nd > 6) {
			q = sz;
			FAIL("size too large (expected at most 65536 bytes)");
		}
	}
	if (!nd)
		FAIL("expected a size in bytes after ','");
	while (q < e && (*q == ' ' || *q == '\r' || *q == '\t'))
		q++;
	if (q != e)
		FAIL("unexpected text after the size");
	if (s > TRACE_MAX_SIZE) {
		q = sz;
		FAIL("size too large (expected at most 65536 bytes)");
	}
	rec->addr = a;
	rec->size = s ? s : 1; // cachegrind reads an undecodable instruction's 0 as 1
	return NULL;
bad:
	*at = q;
	return why;
#undef FAIL
}

static const unsigned char *digits(const unsigned char *q, const unsigned char *e, int64_t *v)
{
	int neg = q < e && *q == '-';
	q += neg;
	const unsigned char *s = q;
	int64_t x = 0;
	while (q < e && *q >= '0' && *q <= '9' && q - s < 18)
		x = x * 10 + (*q++ - '0');
	*v = neg ? -x : x;
	return q > s ? q : NULL;
}

// "SYSCALL[pid,tid](nr) name ..." Returns 1 for a call, 0 for a completion
// line ("... [async] --> ..."), -1 if malformed.
static int parse_syscall(const unsigned char *q, const unsigned char *e, struct trace_rec *rec)
{
	int64_t v;
	q += 8; // "SYSCALL["
	if (!(q = digits(q, e, &v)) || q >= e || *q++ != ',' || !(q = digits(q, e, &v)) || e - q < 2 ||
	    q[0] != ']' || q[1] != '(')
		return -1;
	q += 2;
	if (!(q = digits(q, e, &rec->nr)) || e - q < 2 || q[0] != ')' || q[1] != ' ')
		return -1;
	q += 2;
	if (e - q >= 3 && !memcmp(q, "...", 3))
		return 0;
	if (e - q >= 4 && !memcmp(q, "sys_", 4))
		q += 4;
	size_t n = 0;
	while (q + n < e && q[n] != ' ' && q[n] != '(') {
		unsigned char c = q[n];
		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return -1;
		n++;
	}
	if (!n)
		return -1;
	if (n >= TRACE_NAME_LEN)
		n = TRACE_NAME_LEN - 1;
	memcpy(rec->name, q, n);
	rec->name[n] = 0;
	return 1;
}

int trace_next(struct trace_reader *r, struct trace_rec *rec) { return trace_next_inline(r, rec); }

int trace_next_general(struct trace_reader *r, struct trace_rec *rec)
{
	for (;;) {
		size_t len;
		int bad;
		const char *p = next_line(r, &len, &bad);
		if (!p) {
			if (!bad)
				return rec->kind = TR_END;
			r->io_error = 1;
			snprintf(r->error, sizeof r->error, "%s:%" PRIu64 ":1: error: cannot read the trace: %s", r->name,
				 r->line + 1, strerror(errno));
			return rec->kind = TR_ERROR;
		}
		const unsigned char *u = (const unsigned char *)p, *e = u + len;
		const char *why;
		// The hot path: "I  ADDR,SIZE" and " X ADDR,SIZE".
		if (len >= 3 && u[2] == ' ') {
			int kind = -1;
			if (u[0] == 'I' && u[1] == ' ')
				kind = TR_INSN;
			else if (u[0] == ' ')
				kind = u[1] == 'L' ? TR_LOAD : u[1] == 'S' ? TR_STORE : u[1] == 'M' ? TR_MODIFY : -1;
			if (kind >= 0) {
				const unsigned char *at = u;
				if (!(why = parse_ref(u + 3, e, rec, &at)))
					return rec->kind = kind;
				if (bad_line(r, p, len, (size_t)(at - u) + 1, why))
					continue;
				return rec->kind = TR_ERROR;
			}
		}
		if (len >= 2 && ((u[0] == '=' && u[1] == '=') || (u[0] == '-' && u[1] == '-') ||
				 (u[0] == '*' && u[1] == '*')))
			continue; // valgrind's own messages
		if (len >= 5 && !memcmp(u, " --> ", 5))
			continue; // the result of a system call whose line was broken by a message
		if (len >= 8 && !memcmp(u, "SYSCALL[", 8)) {
			int k = parse_syscall(u, e, rec);
			if (k > 0)
				return rec->kind = TR_SYSCALL;
			if (k == 0)
				continue;
			if (bad_line(r, p, len, 1, "malformed system call (expected 'SYSCALL[pid,tid](nr) name ...')"))
				continue;
			return rec->kind = TR_ERROR;
		}
		size_t i = 0;
		while (i < len && (u[i] == ' ' || u[i] == '\t' || u[i] == '\r'))
			i++;
		if (i == len)
			continue; // blank
		if (bad_line(r, p, len, i + 1,
			     "not a trace record (expected 'I  ADDR,SIZE', ' L|S|M ADDR,SIZE', 'SYSCALL[...]' "
			     "or a '==PID==' message)"))
			continue;
		return rec->kind = TR_ERROR;
	}
}

