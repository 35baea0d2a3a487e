// sweep.c: running an experiment's points — in order or in worker
// processes, resumable after a kill, splittable into shards for a cluster.
//
// A point's index is its place in the serial order (machine, sweep point,
// architecture, workload; the last varies fastest). Every finished point is
// appended to DIR/.journal as one line "INDEX<TAB>CSV-ROW<TAB>JSON-OBJECT\n"
// by a single write(2) on an O_APPEND descriptor, so lines of concurrent
// workers never interleave and a killed run loses at most the point it was
// computing. The result files are assembled from the journal in index
// order, so they are the same bytes whatever -j, --resume or the shards.
//
// The journal's first line names the configuration it belongs to
// ("# osarch journal 1 config HASH": FNV-1a of config.resolved.yaml and
// machines.resolved.yaml without the shard), so --resume and merge refuse
// points of another configuration. A run holds an exclusive flock on the
// journal from open to the last result file, so a second run into the same
// folder fails at once instead of mixing its rows in. A torn last line (a
// kill or a full disk during a write) is cut off before anything is appended.
// The result files are written with manifest.json last (resultset.c).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/file.h>
#ifdef __linux__ // PR_SET_PDEATHSIG; not in emscripten's libc (make wasm), nor on other Unixes
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "experiment.h"

struct plan {
	const struct experiment *e;
	struct service_set *svc;
	struct arch *archs;
	struct workload *wls;
	struct profile *machines;
	// An architecture whose option follows the machine (vm-pv's pv=32|64):
	// its variant per word size, loaded at its first point and kept
	// (variant[2 * arch + (64-bit)]); loading it at every point was a
	// quarter of a sweep's time.
	struct arch **variant;
	int combos;
	long npts;
};

static void plan_free(struct plan *pl)
{
	free(pl->svc);
	free(pl->archs);
	free(pl->wls);
	free(pl->machines);
	for (int i = 0; pl->variant && i < 2 * pl->e->archs.n; i++)
		free(pl->variant[i]);
	free(pl->variant);
}

static int plan_init(struct plan *pl, const struct experiment *e, struct cfg_error *err)
{
	memset(pl, 0, sizeof *pl);
	pl->e = e;
	pl->npts = experiment_points(e);
	pl->svc = malloc(sizeof *pl->svc);
	pl->archs = calloc((size_t)e->archs.n, sizeof *pl->archs);
	pl->variant = calloc(2 * (size_t)e->archs.n, sizeof *pl->variant);
	pl->wls = calloc((size_t)e->workloads.n, sizeof *pl->wls);
	pl->machines = calloc((size_t)e->machines.n, sizeof *pl->machines);
	if (!pl->svc || !pl->archs || !pl->variant || !pl->wls || !pl->machines) {
		cfg_msgf(err, "osarch: out of memory");
		return 1;
	}
	if (load_services_default(pl->svc, err))
		return 2;
	for (int a = 0; a < e->archs.n; a++)
		if (arch_load(&pl->archs[a], e->archs.v[a], pl->svc, err))
			return 2;
	for (int w = 0; w < e->workloads.n; w++)
		if (workload_load(&pl->wls[w], e->workloads.v[w], pl->svc, err))
			return 2;
	for (int m = 0; m < e->machines.n; m++)
		if (profile_load(&pl->machines[m], e->machines.v[m], NULL, err))
			return 2;
	pl->combos = 1;
	for (int s = 0; s < e->nsweep; s++)
		pl->combos *= e->sweep[s].values.n;
	return 0;
}

// Computes point idx and formats its CSV row and JSON object (malloc'd
// "CSV\tJSON" without newline). Returns 0, or 2 with err on bad input.
static int run_one(const struct plan *pl, long idx, struct machine *mach, char **line,
		   struct cfg_error *err)
{
	const struct experiment *e = pl->e;
	long rest = idx;
	int w = (int)(rest % e->workloads.n);
	rest /= e->workloads.n;
	int a = (int)(rest % e->archs.n);
	rest /= e->archs.n;
	int c = (int)(rest % pl->combos);
	int mi = (int)(rest / pl->combos);

	struct profile prof = pl->machines[mi];
	struct point p;
	memset(&p, 0, sizeof p);
	struct sweep_workload sw = {UINT32_MAX, UINT32_MAX};
	int crest = c;
	for (int s = e->nsweep - 1; s >= 0; s--) { // the last parameter varies fastest
		const struct sweep_param *sp = &e->sweep[s];
		p.sweep_values[s] = sp->values.v[crest % sp->values.n];
		crest /= sp->values.n;
		if (sweep_apply(sp->key, p.sweep_values[s], &prof, &sw, err))
			return 2;
	}
	if (profile_check(&prof, err)) {
		char msg[CFG_ERR_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		cfg_msgf(err, "%s:1:1: error: machine %s with this sweep point: %s", e->path, e->machines.v[mi], msg);
		return 2;
	}
	struct workload wl = pl->wls[w];
	if (sw.app_ws != UINT32_MAX)
		wl.app_ws = sw.app_ws;
	if (sw.app_code != UINT32_MAX)
		wl.app_code = sw.app_code;
	snprintf(p.arch, sizeof p.arch, "%s", e->archs.v[a]);
	snprintf(p.workload, sizeof p.workload, "%s", wl.name);
	snprintf(p.machine, sizeof p.machine, "%s", prof.name[0] ? prof.name : e->machines.v[mi]);
	struct run_params rp = {e->warmup, e->reps, e->cold, (uint64_t)e->seed};
	const struct arch *arch = &pl->archs[a];
	if (arch->auto_opt[0]) {
		int bits = profile_word_bits(&prof), k = 2 * a + (bits == 64);
		if (!pl->variant[k]) {
			struct arch *v = malloc(sizeof *v);
			if (!v)
				return 1;
			if (arch_for_profile(arch, bits, v, err) < 0) {
				free(v);
				return 2;
			}
			pl->variant[k] = v;
		}
		arch = pl->variant[k];
	}
	int prc = run_point_on(mach, arch, &wl, &prof, &rp, &p.r, NULL);
	if (prc == -2 && e->skip_unsupported) {
		*line = strdup("\t"); // a point without a row (see has_row)
		return *line ? 0 : 1;
	}
	if (prc == -2) {
		cfg_msgf(err, "%s:1:1: error: architecture %s needs %s, which machine %s does not have", e->path,
			 p.arch, pl->archs[a].requires_ept ? "VT-x with EPT" : "VT-x", p.machine);
		return 2;
	}
	if (prc == -3) {
		cfg_msgf(err, "%s:1:1: error: %s (workload %s)", e->path, p.r.error, p.workload);
		return 2;
	}
	if (prc) {
		cfg_msgf(err, "%s:1:1: error: machine %s cannot be built (bad geometry)", e->path, p.machine);
		return 2;
	}
	size_t len;
	FILE *f = open_memstream(line, &len);
	if (!f)
		return 1;
	csv_row(f, e, &p);
	fseek(f, -1, SEEK_CUR); // drop csv_row's newline
	fputc('\t', f);
	json_point(f, e, &p);
	fclose(f);
	return 0;
}

static int in_shard(const struct experiment *e, long idx)
{
	return e->shard.count <= 1 || idx % e->shard.count == e->shard.index;
}

// Writes buf with one write(2). Returns 0, or -1 with why set (a short
// write leaves errno alone: it is said as such, never as "Success").
static int write_once(int fd, const char *buf, size_t len, char *why, size_t whylen)
{
	errno = 0;
	ssize_t w = write(fd, buf, len);
	if (w == (ssize_t)len)
		return 0;
	if (w < 0)
		snprintf(why, whylen, "%s", strerror(errno));
	else
		snprintf(why, whylen, "short write (%zd of %zu bytes: is the disk full?)", w, len);
	return -1;
}

// Appends "idx\tline\n" (idx < 0: "line\n") with one write(2), so lines of
// concurrent workers never interleave.
static int journal_append(int fd, long idx, const char *line, char *why, size_t whylen)
{
	size_t n = strlen(line) + 32;
	char *buf = malloc(n);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	int len = idx < 0 ? snprintf(buf, n, "%s\n", line) : snprintf(buf, n, "%ld\t%s\n", idx, line);
	int rc = write_once(fd, buf, (size_t)len, why, whylen);
	free(buf);
	return rc;
}

#define JOURNAL_MAGIC "# osarch journal 1 config "


// The hash that ties a journal to its configuration: the resolved experiment
// (without the shard, so the shards of one experiment agree) and the
// resolved machine profiles. 16 hex digits into out.
static int config_hash(const struct experiment *e, char out[17])
{
	struct experiment c = *e;
	c.shard.index = c.shard.count = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return -1;
	write_resolved(m, &c);
	write_machines_resolved(m, &c);
	if (fclose(m)) {
		free(text);
		return -1;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)fnv1a64(text, len, FNV1A64_INIT));
	free(text);
	return 0;
}

enum { J_OK = 0, J_FOREIGN = -1, J_NOHEADER = -2, J_IOERR = -3, J_NOTREG = -4 };

// Reads a journal into rows[idx] ("CSV\tJSON", malloc'd; a later line for
// the same index wins) after checking that its first line names `hash`
// (J_FOREIGN: another configuration's, J_NOHEADER: none, J_IOERR: cannot
// read it). A torn last line (a kill or a full disk during a write) is
// ignored; *good, when given, is the length of the journal without it.
// *count is the number of distinct points read.
static int journal_read(const char *path, const char *hash, char **rows, long npts, long *count, off_t *good)
{
	long n = 0;
	off_t at = 0;
	if (count)
		*count = 0;
	if (good)
		*good = 0;
	// Non-blocking open and a type check: a FIFO named .journal would wait
	// for a writer, then for data, forever.
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? J_OK : J_IOERR;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return J_NOTREG;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return J_IOERR;
	}
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = J_OK;
	if ((len = getline(&buf, &cap, f)) <= 0) {
		rc = ferror(f) ? J_IOERR : J_OK; // empty: a fresh journal
		goto out;
	}
	if (buf[len - 1] != '\n' || strncmp(buf, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC))) {
		rc = J_NOHEADER;
		goto out;
	}
	if (strncmp(buf + strlen(JOURNAL_MAGIC), hash, 16)) {
		rc = J_FOREIGN;
		goto out;
	}
	at = (off_t)len;
	while ((len = getline(&buf, &cap, f)) > 0) {
		if (buf[len - 1] != '\n')
			break; // torn
		at += (off_t)len;
		buf[len - 1] = 0;
		char *end;
		long idx = strtol(buf, &end, 10);
		if (*end != '\t' || idx < 0 || idx >= npts || !strchr(end + 1, '\t'))
			continue;
		if (!rows[idx])
			n++;
		free(rows[idx]);
		rows[idx] = strdup(end + 1);
	}
	if (ferror(f))
		rc = J_IOERR;
out:
	free(buf);
	fclose(f);
	if (count)
		*count = n;
	if (good)
		*good = at;
	return rc;
}

// The message for a journal that cannot be used, or 0.
static int journal_refused(int jr, const char *path, const char *hash, const char *how, struct cfg_error *err)
{
	if (jr == J_FOREIGN || jr == J_NOHEADER)
		cfg_msgf(err, "%s:1:1: error: this journal holds points of %s (this configuration is %s); %s", path,
			 jr == J_FOREIGN ? "another configuration" : "an unknown configuration (no osarch journal header)",
			 hash, how);
	else if (jr == J_IOERR)
		cfg_msgf(err, "osarch: cannot read %s: %s", path, strerror(errno));
	else if (jr == J_NOTREG)
		cfg_msgf(err, "%s:1:1: error: not a regular file (expected the journal of an osarch run)", path);
	return jr == J_OK ? 0 : jr == J_IOERR ? 1 : 2;
}

static void progress(long done, long total, time_t t0)
{
	long el = (long)(time(NULL) - t0);
	long eta = done > 0 ? (long)((double)el * (double)(total - done) / (double)done) : 0;
	fprintf(stderr, "\r[%ld/%ld] %lds elapsed, ETA %lds   ", done, total, el, eta);
}

// Runs the listed points, appending each to the journal; the worker's share
// is every jobs-th of `todo` from `first`.
static int run_share(const struct plan *pl, const long *todo, long ntodo, long first, int step, int fd,
		     int show, long already, long total, struct cfg_error *err)
{
	time_t t0 = time(NULL), last = 0;
	// One machine for all of this worker's points (machine_prepare).
	struct machine mach;
	memset(&mach, 0, sizeof mach);
	for (long k = first; k < ntodo; k += step) {
		char *line = NULL;
		int rc = run_one(pl, todo[k], &mach, &line, err);
		if (rc) {
			machine_free(&mach);
			return rc;
		}
		char why[160];
		int bad = journal_append(fd, todo[k], line, why, sizeof why);
		free(line);
		if (bad) {
			machine_free(&mach);
			cfg_msgf(err, "osarch: cannot append to the journal: %s", why);
			return 1;
		}
		if (show && time(NULL) != last) {
			last = time(NULL);
			progress(already + k + 1, total, t0);
		}
	}
	machine_free(&mach);
	return 0;
}

struct assembled {
	const struct experiment *e;
	char **rows;
	long n;
};

// A point run but without a row (skip_unsupported) is stored as "\t".
static int has_row(const char *r) { return r && r[0] != '\t'; }

static void write_csv(FILE *f, void *arg)
{
	const struct assembled *as = arg;
	csv_header(f, as->e);
	for (long i = 0; i < as->n; i++)
		if (has_row(as->rows[i]))
			fprintf(f, "%.*s\n", (int)strcspn(as->rows[i], "\t"), as->rows[i]);
}

static void write_json(FILE *f, void *arg)
{
	const struct assembled *as = arg;
	fputs("{\n  \"schema_version\": 1,\n  \"name\": ", f);
	json_put_str(f, as->e->name);
	fputs(",\n  \"points\": [\n", f);
	long last = -1;
	for (long i = 0; i < as->n; i++)
		if (has_row(as->rows[i]))
			last = i;
	for (long i = 0; i < as->n; i++)
		if (has_row(as->rows[i]))
			fprintf(f, "%s%s\n", strchr(as->rows[i], '\t') + 1, i < last ? "," : "");
	fprintf(f, "  ]\n}\n");
}

// The result set: manifest.json is removed first and written last with the
// size and hash of the four files before it (resultset.c).
static int write_outputs(const struct experiment *e, char **rows, long npts, const char *outdir,
			 FILE *table, struct cfg_error *err)
{
	struct assembled as = {e, rows, npts};
	struct manifest_in mi = {e, 4, {"results.csv", "results.json", "config.resolved.yaml", "machines.resolved.yaml"},
				 {0}, {0}};
	void (*writers[])(FILE *, void *) = {write_csv, write_json, write_resolved, write_machines_resolved};
	void *args[] = {&as, &as, (void *)e, (void *)e};
	char *man = path_join(outdir, "manifest.json");
	if (!man || (unlink(man) && errno != ENOENT)) {
		cfg_msgf(err, "osarch: cannot remove the old manifest in %s: %s", outdir, strerror(errno));
		free(man);
		return 1;
	}
	for (int i = 0; i <= mi.n; i++) {
		char *path = i < mi.n ? path_join(outdir, mi.name[i]) : man;
		if (!path || (i < mi.n ? write_atomic(path, writers[i], args[i]) ||
						 file_digest(path, &mi.hash[i], &mi.bytes[i])
				       : write_atomic(path, write_manifest, &mi))) {
			cfg_msgf(err, "osarch: cannot write %s/%s: %s", outdir, i < mi.n ? mi.name[i] : "manifest.json",
				 strerror(errno));
			if (path != man)
				free(path);
			free(man);
			return 1;
		}
		if (path != man)
			free(path);
	}
	free(man);
	if (table)
		print_table(table, e, rows, npts);
	return 0;
}

static void free_rows(char **rows, long n)
{
	if (!rows)
		return;
	for (long i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

// Forks `jobs` workers over todo; returns 0 or the first failing worker's
// status (its message is on stderr: a worker cannot hand back err).
static int run_workers(const struct plan *pl, const long *todo, long ntodo, int jobs, int fd,
		       const char *journal, const char *hash, int show, long already, struct cfg_error *err)
{
	pid_t pids[256];
	if (jobs > 256)
		jobs = 256;
	fflush(NULL);
	for (int j = 0; j < jobs; j++) {
		pids[j] = fork();
		if (pids[j] < 0) {
			cfg_msgf(err, "osarch: fork: %s", strerror(errno));
			for (int k = 0; k < j; k++)
				kill(pids[k], SIGTERM), waitpid(pids[k], NULL, 0);
			return 1;
		}
		if (pids[j] == 0) {
			// A worker dies with its parent (kill -9 of `osarch run`), so a
			// resumed run never races an orphan over the journal.
#ifdef __linux__
			prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
			if (getppid() == 1)
				_exit(1);
			struct cfg_error e2;
			int rc = run_share(pl, todo, ntodo, j, jobs, fd, 0, 0, 0, &e2);
			if (rc)
				fprintf(stderr, "%s\n", e2.msg);
			fflush(NULL);
			_exit(rc);
		}
	}
	int rc = 0, left = jobs;
	time_t t0 = time(NULL);
	while (left > 0) {
		int status;
		pid_t pid = show ? waitpid(-1, &status, WNOHANG) : waitpid(-1, &status, 0);
		if (pid == 0) {
			// Count finished lines for the progress line.
			char **probe = calloc((size_t)pl->npts, sizeof *probe);
			if (probe) {
				long got = 0;
				journal_read(journal, hash, probe, pl->npts, &got, NULL);
				progress(got, pl->npts, t0);
				free_rows(probe, pl->npts);
			}
			struct timespec ts = {0, 200000000};
			nanosleep(&ts, NULL);
			continue;
		}
		if (pid < 0)
			break;
		left--;
		int wrc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		if (wrc && !rc) {
			rc = wrc;
			for (int k = 0; k < jobs; k++)
				if (pids[k] != pid)
					kill(pids[k], SIGTERM);
		}
	}
	(void)already;
	if (rc)
		cfg_msgf(err, "osarch: a worker failed (its message is above)");
	return rc;
}

int experiment_run(const struct experiment *e, const struct run_opts *o, FILE *table, struct cfg_error *err)
{
	struct plan pl;
	char **rows = NULL;
	long *todo = NULL;
	int fd = -1;
	char *journal = NULL;
	char hash[17];
	int rc = plan_init(&pl, e, err);
	if (rc)
		goto out;
	rc = 2;
	journal = path_join(o->outdir, ".journal");
	if (!journal) {
		cfg_msgf(err, "osarch: cannot use the output folder: %s (%zu characters; the system allows %d)",
			 strerror(errno), strlen(o->outdir), PATH_MAX - 1);
		if (errno != ENAMETOOLONG)
			rc = 1;
		goto out;
	}
	rc = 1;
	if (config_hash(e, hash)) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	if (mkdir_p(o->outdir)) {
		cfg_msgf(err, "osarch: cannot create %s: %s", o->outdir, strerror(errno));
		rc = errno == ENAMETOOLONG ? 2 : 1;
		goto out;
	}
	rows = calloc((size_t)pl.npts, sizeof *rows);
	todo = malloc((size_t)pl.npts * sizeof *todo);
	if (!rows || !todo) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	// Opened without O_TRUNC: nothing is touched before the lock is held.
	fd = open(journal, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		cfg_msgf(err, "osarch: cannot open %s: %s", journal, strerror(errno));
		goto out;
	}
	struct stat jst;
	if (fstat(fd, &jst) == 0 && !S_ISREG(jst.st_mode)) {
		cfg_msgf(err, "%s:1:1: error: not a regular file (expected the journal of an osarch run)", journal);
		rc = 2;
		goto out;
	}
	// The workers of a run killed a moment ago may still hold the lock
	// until their death signal lands: a short wait, then a clear refusal.
	int locked = -1;
	for (int tries = 0; tries < 60 && (locked = flock(fd, LOCK_EX | LOCK_NB)) && errno == EWOULDBLOCK; tries++) {
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
	}
	if (locked) {
		if (errno == EWOULDBLOCK)
			cfg_msgf(err, "osarch: %s is in use by another osarch run (its journal is locked); wait for "
				 "that run to finish or give another -o folder", o->outdir);
		else
			cfg_msgf(err, "osarch: cannot lock %s: %s", journal, strerror(errno));
		goto out;
	}
	off_t good = 0;
	if (o->resume) {
		int jr = journal_read(journal, hash, rows, pl.npts, NULL, &good);
		if ((rc = journal_refused(jr, journal, hash, "run without --resume to start afresh (its points are "
							     "discarded), or give another -o folder", err)))
			goto out;
		rc = 1;
	}
	// A fresh journal, or the resumed one without its torn tail; then the
	// header when the journal is empty.
	if (ftruncate(fd, good)) {
		cfg_msgf(err, "osarch: cannot truncate %s: %s", journal, strerror(errno));
		goto out;
	}
	if (good == 0) {
		char head[64], why[160];
		snprintf(head, sizeof head, "%s%s", JOURNAL_MAGIC, hash);
		if (journal_append(fd, -1, head, why, sizeof why)) {
			cfg_msgf(err, "osarch: cannot write %s: %s", journal, why);
			goto out;
		}
	}
	long ntodo = 0, mine = 0;
	for (long i = 0; i < pl.npts; i++) {
		if (!in_shard(e, i))
			continue;
		mine++;
		if (!rows[i])
			todo[ntodo++] = i;
	}
	int show = !o->quiet && isatty(2);
	int jobs = o->jobs > 1 && ntodo > 1 ? (o->jobs < ntodo ? o->jobs : (int)ntodo) : 1;
	if (jobs > 1)
		rc = run_workers(&pl, todo, ntodo, jobs, fd, journal, hash, show, mine - ntodo, err);
	else
		rc = run_share(&pl, todo, ntodo, 0, 1, fd, show, mine - ntodo, mine, err);
	if (show)
		fprintf(stderr, "\r%70s\r", "");
	if (fsync(fd) && !rc) {
		cfg_msgf(err, "osarch: cannot sync the journal: %s", strerror(errno));
		rc = 1;
	}
	if (rc)
		goto out;
	for (long i = 0; i < pl.npts; i++)
		free(rows[i]), rows[i] = NULL;
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_nlink == 0) {
		cfg_msgf(err, "osarch: %s was removed during the run (by another program): run again", journal);
		rc = 1;
		goto out;
	}
	if ((rc = journal_refused(journal_read(journal, hash, rows, pl.npts, NULL, NULL), journal, hash,
				  "another process wrote it during this run", err)))
		goto out;
	for (long i = 0; i < pl.npts; i++)
		if (in_shard(e, i) && !rows[i]) {
			cfg_msgf(err, "osarch: point %ld is missing from %s", i, journal);
			rc = 1;
			goto out;
		}
	rc = write_outputs(e, rows, pl.npts, o->outdir, table, err);
out:
	if (fd >= 0)
		close(fd); // releases the lock, after the last result file
	free(journal);
	free_rows(rows, pl.npts);
	free(todo);
	plan_free(&pl);
	return rc;
}

int experiment_merge(const struct experiment *e, char *const *dirs, int ndirs, const char *outdir,
		     struct cfg_error *err)
{
	long npts = experiment_points(e);
	char **rows = calloc((size_t)npts, sizeof *rows);
	int rc = 1;
	char hash[17];
	if (!rows || config_hash(e, hash)) {
		free(rows);
		cfg_msgf(err, "osarch: out of memory");
		return 1;
	}
	for (int d = 0; d < ndirs; d++) {
		char *journal = path_join(dirs[d], ".journal");
		if (!journal) {
			cfg_msgf(err, "%s:1:1: error: %s", dirs[d], strerror(errno));
			rc = 2;
			goto out;
		}
		if (access(journal, R_OK)) {
			cfg_msgf(err, "%s:1:1: error: no journal of a shard run here (expected %s)", dirs[d], journal);
			free(journal);
			rc = 2;
			goto out;
		}
		rc = journal_refused(journal_read(journal, hash, rows, npts, NULL, NULL), journal, hash,
				     "merge only the shards of this experiment (run them again from its --emit-jobs "
				     "configs)", err);
		free(journal);
		if (rc)
			goto out;
		rc = 1;
	}
	for (long i = 0; i < npts; i++)
		if (!rows[i]) {
			cfg_msgf(err, "osarch: point %ld is in none of the merged runs (a shard is missing or unfinished)", i);
			rc = 2;
			goto out;
		}
	if (mkdir_p(outdir)) {
		cfg_msgf(err, "osarch: cannot create %s: %s", outdir, strerror(errno));
		rc = errno == ENAMETOOLONG ? 2 : 1;
		goto out;
	}
	rc = write_outputs(e, rows, npts, outdir, NULL, err);
out:
	free_rows(rows, npts);
	return rc;
}

// A word for sh: as it is when made of safe characters, else in single
// quotes (a quote inside as '\''), so a folder with a blank still works.
static void sh_word(FILE *f, const char *s)
{
	if (*s && !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=+-")]) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		fputs(*s == '\'' ? "'\\''" : (char[]){*s, 0}, f);
	fputc('\'', f);
}

static FILE *create_in(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	FILE *f = path ? fopen(path, "w") : NULL;
	int e = errno;
	free(path);
	errno = e;
	return f;
}

// The rest of a job line after "osarch run ": one shard (the scheduler's
// task number `task`) into its own folder, then the merge of all of them
// (after `merge_prefix`), every name sh-quoted.
static void run_and_merge(FILE *f, const struct experiment *e, const char *dir, const char *task,
			  const char *merge_prefix)
{
	sh_word(f, dir);
	fprintf(f, "/job-%s.yaml -o ", task);
	sh_word(f, dir);
	fprintf(f, "/out-%s --quiet -j 1\n%s./build/osarch merge ", task, merge_prefix);
	sh_word(f, e->path);
	fputc(' ', f);
	sh_word(f, dir);
	fputs("/out-* -o results/", f);
	sh_word(f, e->name);
	fputc('\n', f);
}

int experiment_emit_jobs(const struct experiment *e, const char *dir, int shards, struct cfg_error *err)
{
	if (mkdir_p(dir)) {
		cfg_msgf(err, "osarch: cannot create %s: %s", dir, strerror(errno));
		return errno == ENAMETOOLONG ? 2 : 1;
	}
	size_t len;
	char *text = cfg_read_file(e->path, CFG_MAX_FILE_BYTES, &len, err);
	if (!text)
		return 2;
	int rc = 0;
	for (int i = 0; i < shards && !rc; i++) {
		char name[48];
		snprintf(name, sizeof name, "job-%d.yaml", i);
		FILE *f = create_in(dir, name);
		if (!f) {
			rc = 1;
			break;
		}
		// The original file, then this shard: a later key would be a
		// duplicate, so the file must not already have one (checked by load).
		fprintf(f, "%s%s# written by osarch run --emit-jobs: shard %d of %d\nshard: {index: %d, count: %d}\n",
			text, len > 0 && text[len - 1] != '\n' ? "\n" : "", i, shards, i, shards);
		rc = fclose(f) ? 1 : 0;
	}
	free(text);
	FILE *f = rc ? NULL : create_in(dir, "slurm.sh");
	if (f) {
		fputs("#!/bin/sh\n# Slurm job array: one shard per task. Submit from the repository root:\n#   sbatch ", f);
		sh_word(f, dir);
		fprintf(f, "/slurm.sh\n#SBATCH --array=0-%d\n#SBATCH --cpus-per-task=1\n./build/osarch run ", shards - 1);
		run_and_merge(f, e, dir, "$SLURM_ARRAY_TASK_ID", "# then: ");
		rc = fclose(f) ? 1 : 0;
		f = rc ? NULL : create_in(dir, "parallel.txt");
	}
	if (f) {
		fprintf(f, "seq 0 %d | parallel ./build/osarch run ", shards - 1);
		run_and_merge(f, e, dir, "{}", "");
		rc = fclose(f) ? 1 : 0;
	} else {
		rc = 1;
	}
	if (rc)
		cfg_msgf(err, "osarch: cannot write in %s: %s", dir, strerror(errno));
	return rc;
}
