// resultset.c: a run's output folder as one unit. `osarch run` and `merge`
// remove DIR/manifest.json first, write the other files, then write the
// manifest last with each file's size and FNV-1a hash; every reader of a
// result folder (diff, report) checks the set against it, so a run that
// stopped half-way through writing (old and new files mixed) is refused
// instead of read. A folder with no manifest and no journal (a committed
// golden copy, the output of scale, replay or faults) is read as it is.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "experiment.h"

char *path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	if (a + 1 + b + 1 > PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

int file_digest(const char *path, uint64_t *hash, uint64_t *bytes)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	uint64_t h = FNV1A64_INIT, n = 0;
	char buf[65536];
	for (;;) {
		ssize_t got = read(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		h = fnv1a64(buf, (size_t)got, h);
		n += (uint64_t)got;
	}
	close(fd);
	*hash = h;
	*bytes = n;
	return 0;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int resultset_check(const char *dir, char *msg, size_t len)
{
	char *man = path_join(dir, "manifest.json"), *jn = path_join(dir, ".journal");
	int rc = -1;
	json_t *root = NULL;
	char *text = NULL;
	if (!man || !jn) {
		snprintf(msg, len, "%s:1:1: error: path too long or out of memory", dir);
		goto out;
	}
	if (!exists(man)) {
		if (exists(jn)) {
			snprintf(msg, len, "%s:1:1: error: an incomplete result set (a journal but no manifest.json: "
				 "the run stopped before writing all its files; run it again, with --resume to keep "
				 "the finished points)", dir);
			goto out;
		}
		rc = 0; // not written by `osarch run`: nothing to check against
		goto out;
	}
	struct cfg_error e1;
	size_t n;
	text = cfg_read_file(man, CFG_MAX_FILE_BYTES, &n, &e1);
	if (!text) {
		snprintf(msg, len, "%s", e1.msg);
		goto out;
	}
	json_error_t je;
	root = json_loadb(text, n, 0, &je);
	json_t *files = root ? json_object_get(root, "files") : NULL;
	if (!json_is_object(files)) {
		snprintf(msg, len, "%s:%d:%d: error: %s (expected a manifest.json with \"files\"; run the experiment again)",
			 man, root ? 1 : je.line, root ? 1 : je.column, root ? "no file hashes" : je.text);
		goto out;
	}
	const char *name;
	json_t *f;
	json_object_foreach(files, name, f) {
		const char *want = json_string_value(json_object_get(f, "fnv1a64"));
		json_t *jb = json_object_get(f, "bytes");
		char *p = strchr(name, '/') || name[0] == '.' ? NULL : path_join(dir, name);
		uint64_t h, b;
		char got[17];
		if (!p || !want || !json_is_integer(jb)) {
			free(p);
			snprintf(msg, len, "%s:1:1: error: bad entry for '%s' (expected {\"bytes\": N, \"fnv1a64\": HEX})",
				 man, name);
			goto out;
		}
		int bad = file_digest(p, &h, &b);
		free(p);
		snprintf(got, sizeof got, "%016llx", (unsigned long long)h);
		if (bad || b != (uint64_t)json_integer_value(jb) || strcmp(got, want)) {
			snprintf(msg, len, "%s/%s:1:1: error: %s manifest.json (the result set is mixed or damaged: "
				 "run the experiment again)", dir, name, bad ? "missing, though listed in" : "does not match");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	free(text);
	free(man);
	free(jn);
	return rc;
}

int resultset_check_file(const char *path, char *msg, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return resultset_check(".", msg, len);
	char *dir = strndup(path, (size_t)(slash - path));
	if (!dir) {
		snprintf(msg, len, "osarch: out of memory");
		return -1;
	}
	int rc = resultset_check(slash == path ? "/" : dir, msg, len);
	free(dir);
	return rc;
}
