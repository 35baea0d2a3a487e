// test_ondisk.c: results you can trust on disk (issue 17). Each test is a
// fault that used to end in exit 0 with wrong or lost results: runs of two
// configurations mixed in one folder, a resumed or merged run of another
// configuration, a second writer, a torn journal line, a short write said
// as "Success", a result set half old and half new, a long -o path, a
// failed write to stdout, a FIFO as an input, a name used as a path,
// hostile names in the outputs. Runs the osarch binary of this build.
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "experiment.h"

#define SLOW "tests/data/sweep/slow.yaml"

// The osarch of the build this test belongs to (build/ or build-asan/).
static const char *osarch(void)
{
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	return strstr(self, "build-asan") ? "build-asan/osarch" : "build/osarch";
}

// Runs "osarch ARGS" (a shell command line) with stderr into err (when
// given); returns the exit status, -1 on a signal.
static int run(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char *err, size_t errlen, const char *fmt, ...)
{
	char args[12000], cmd[12800], errfile[64];
	snprintf(errfile, sizeof errfile, "/tmp/osarch-t%ld-ondisk-err-XXXXXX", (long)getpid());
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	int fd = mkstemp(errfile);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "%s %s 2>%s", osarch(), args, errfile);
	int st = system(cmd);
	if (err) {
		FILE *f = fopen(errfile, "r");
		size_t n = f ? fread(err, 1, errlen - 1, f) : 0;
		err[n] = 0;
		if (f)
			fclose(f);
	}
	unlink(errfile);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static struct test_tmp tmp; // this process's temporary folders (testutil.h)

static void mktmp(char *dir, size_t n) { test_tmp_dir(&tmp, "ondisk", dir, n); }

static int same_file(const char *a, const char *b)
{
	char *x = test_slurp(a), *y = test_slurp(b);
	int same = x && y && !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

static void compare_sets(const char *a, const char *b)
{
	const char *files[] = {"results.csv", "results.json", "config.resolved.yaml", "machines.resolved.yaml"};
	for (int i = 0; i < 4; i++) {
		char pa[600], pb[600];
		snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
		snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
		if (!same_file(pa, pb))
			fail_msg("%s and %s differ", pa, pb);
	}
}

// A small fast experiment: 2 points, reps as given.
static void small_config(const char *path, int reps, const char *extra)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "name: small\nmachine: modern\narchs: [monolithic, l4]\nworkloads: [null]\nwarmup: 2\nreps: %d\n%s", reps,
		 extra);
	test_put(path, text);
}

// --resume after editing reps (or a machine parameter) used to keep the old
// rows: the journal now names its configuration, and another one is refused
// with exit 2 and how to start afresh.
static void test_resume_other_config_refused(void **state)
{
	(void)state;
	char d[64], cfg[128], mach[128], msg[2048];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	assert_int_equal(run(NULL, 0, "run %s -o %s/out --quiet", cfg, d), 0);
	small_config(cfg, 4, "");
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s/out --quiet --resume", cfg, d), 2);
	assert_non_null(strstr(msg, "another configuration"));
	assert_non_null(strstr(msg, "without --resume to start afresh"));
	assert_int_equal(run(NULL, 0, "run %s -o %s/out --quiet", cfg, d), 0); // afresh: fine
	// A machine parameter: the profile file changes, the experiment does not.
	snprintf(mach, sizeof mach, "%s/m.yaml", d);
	test_put(mach, "inherit: modern\nname: m\nmhz: 3000\n");
	char extra[256];
	snprintf(extra, sizeof extra, "# machine below\n");
	char text[512];
	snprintf(text, sizeof text, "name: small\nmachine: %s\narchs: [monolithic]\nworkloads: [null]\nreps: 2\n", mach);
	test_put(cfg, text);
	assert_int_equal(run(NULL, 0, "run %s -o %s/m --quiet", cfg, d), 0);
	test_put(mach, "inherit: modern\nname: m\nmhz: 2000\n");
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s/m --quiet --resume", cfg, d), 2);
	assert_non_null(strstr(msg, "another configuration"));
	// The same configuration resumes (nothing to do) and gives the same bytes.
	test_put(mach, "inherit: modern\nname: m\nmhz: 3000\n");
	char again[128];
	snprintf(again, sizeof again, "%s/m2", d);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, again), 0);
	assert_int_equal(run(NULL, 0, "run %s -o %s/m --quiet --resume", cfg, d), 0);
	char m1[128];
	snprintf(m1, sizeof m1, "%s/m", d);
	compare_sets(m1, again);
}

// merge used to join shards of different configurations.
static void test_merge_other_config_refused(void **state)
{
	(void)state;
	char d[64], cfg[128], msg[2048];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	assert_int_equal(run(NULL, 0, "run %s --emit-jobs %s/jobs --shards 2 >/dev/null", cfg, d), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(run(NULL, 0, "run %s/jobs/job-%d.yaml -o %s/out-%d --quiet", d, i, d, i), 0);
	small_config(cfg, 5, "");
	assert_int_equal(run(msg, sizeof msg, "merge %s %s/out-0 %s/out-1 -o %s/merged", cfg, d, d, d), 2);
	assert_non_null(strstr(msg, "another configuration"));
	small_config(cfg, 3, "");
	assert_int_equal(run(NULL, 0, "merge %s %s/out-0 %s/out-1 -o %s/merged", cfg, d, d, d), 0);
	// The scripts --emit-jobs writes name a folder with a blank and a quote
	// as one shell word (they used to splice it in as it was).
	assert_int_equal(run(NULL, 0, "run %s --emit-jobs \"%s/my jobs'x\" --shards 2 >/dev/null", cfg, d), 0);
	char script[200], want[200];
	snprintf(script, sizeof script, "%s/my jobs'x/slurm.sh", d);
	char *text = test_slurp(script);
	assert_non_null(text);
	snprintf(want, sizeof want, "./build/osarch run '%s/my jobs'\\''x'/job-$SLURM_ARRAY_TASK_ID.yaml", d);
	if (!strstr(text, want))
		fail_msg("slurm.sh lacks %s:\n%s", want, text);
	free(text);
	char check[300];
	snprintf(check, sizeof check, "sh -n \"%s\"", script);
	assert_int_equal(system(check), 0);
	char full[128], merged[128];
	snprintf(full, sizeof full, "%s/full", d);
	snprintf(merged, sizeof merged, "%s/merged", d);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, full), 0);
	compare_sets(full, merged);
}

// A second run into a folder that a run is writing fails with a clear
// message (it used to interleave its rows with the first run's), after
// waiting 3 s for the first to end (experiment_run in sweep.c).
static void test_second_writer_refused(void **state)
{
	(void)state;
	char d[64], cfg[128], journal[128], msg[2048];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	snprintf(journal, sizeof journal, "%s/out/.journal", d);
	char out[128];
	snprintf(out, sizeof out, "%s/out", d);
	assert_int_equal(mkdir(out, 0755), 0);
	int fd = open(journal, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0); // as the first run holds it
	int rc = run(msg, sizeof msg, "run %s -o %s --quiet", cfg, out);
	if (rc != 1 || !strstr(msg, "in use by another osarch run"))
		fail_msg("exit %d: '%s'", rc, msg);
	close(fd);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, out), 0);
}

// A run that ends while the second one waits (a killed run's workers die a
// moment after it, holding the lock until then) lets the second one go on:
// here the lock is held for 0.3 s by a child process, and the run that
// started at once succeeds.
static void test_lock_released_while_waiting(void **state)
{
	(void)state;
	char d[64], cfg[128], journal[160], out[128];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	snprintf(out, sizeof out, "%s/out", d);
	snprintf(journal, sizeof journal, "%s/.journal", out);
	assert_int_equal(mkdir(out, 0755), 0);
	int fd = open(journal, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { // holds the lock (shared with the parent's fd) for 0.3 s
		struct timespec ts = {0, 300000000};
		nanosleep(&ts, NULL);
		_exit(0);
	}
	close(fd); // the child's copy keeps the lock
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, out), 0);
	int st;
	waitpid(pid, &st, 0);
}

// A torn last line (a full disk or a kill during the write) used to have the
// next record appended onto it: the resumed run then wrote an invalid
// results.json with exit 0. The tail is cut before appending.
static void test_torn_tail_repaired(void **state)
{
	(void)state;
	char d[64], cfg[128], full[128], cut[128], journal[160];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	test_put(cfg, "name: torn\nmachine: modern\narchs: [monolithic, l4, mach]\nworkloads: [null, read]\nwarmup: 2\n"
		 "reps: 2\n");
	snprintf(full, sizeof full, "%s/full", d);
	snprintf(cut, sizeof cut, "%s/cut", d);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet -j 1", cfg, full), 0);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet -j 1", cfg, cut), 0);
	// Keep the header and the first two points, and half of the third.
	snprintf(journal, sizeof journal, "%s/.journal", cut);
	char *text = test_slurp(journal);
	assert_non_null(text);
	char *p = text;
	for (int i = 0; i < 3; i++)
		p = strchr(p, '\n') + 1;
	size_t keep = (size_t)(p - text) + strlen(p) / 12;
	FILE *f = fopen(journal, "w");
	assert_non_null(f);
	fwrite(text, 1, keep, f);
	fclose(f);
	free(text);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet -j 1 --resume", cfg, cut), 0);
	compare_sets(full, cut);
	char json[160];
	snprintf(json, sizeof json, "%s/results.json", cut);
	json_error_t je;
	json_t *root = json_load_file(json, 0, &je);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "points")), 6);
	json_decref(root);
}

// A short write to the journal (a file-size limit standing in for a full
// disk) used to be reported as "cannot append to the journal: Success".
static void test_short_write_said(void **state)
{
	(void)state;
	char d[64], cfg[128], out[128], errfile[160];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	snprintf(out, sizeof out, "%s/out", d);
	snprintf(errfile, sizeof errfile, "%s/stderr", d);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		// The header line (43 bytes) fits, a point's line (about 700) does not.
		struct rlimit rl = {200, 200};
		signal(SIGXFSZ, SIG_IGN);
		int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0 || setrlimit(RLIMIT_FSIZE, &rl))
			_exit(127);
		execl(osarch(), "osarch", "run", cfg, "-o", out, "--quiet", "-j", "1", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	char *msg = test_slurp(errfile);
	assert_non_null(msg);
	if (!strstr(msg, "cannot append to the journal: short write") || strstr(msg, "Success"))
		fail_msg("message: %s", msg);
	free(msg);
}

// A result set is one unit: a file that does not match manifest.json (a run
// stopped while renaming its files one by one, or an edit) makes diff and
// report refuse the folder; so does a journal without a manifest.
static void test_manifest_checked(void **state)
{
	(void)state;
	char d[64], cfg[128], a[128], b[128], path[200], msg[2048];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	snprintf(a, sizeof a, "%s/a", d);
	snprintf(b, sizeof b, "%s/b", d);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, a), 0);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, b), 0);
	assert_int_equal(run(NULL, 0, "diff %s %s >/dev/null", a, b), 0);
	// An older results.json beside a newer results.csv: another run's file.
	small_config(cfg, 4, "");
	char c[128];
	snprintf(c, sizeof c, "%s/c", d);
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, c), 0);
	snprintf(path, sizeof path, "%s/results.csv", b);
	char other[200];
	snprintf(other, sizeof other, "%s/results.csv", c);
	char *text = test_slurp(other);
	test_put(path, text);
	free(text);
	assert_int_equal(run(msg, sizeof msg, "diff %s %s >/dev/null", a, b), 2);
	assert_non_null(strstr(msg, "does not match manifest.json"));
	char tpl[160];
	snprintf(tpl, sizeof tpl, "%s/t.md.in", d);
	char line[400];
	snprintf(line, sizeof line, "{{value %s/results.csv col=traps where=arch=l4}}\n", b);
	test_put(tpl, line);
	assert_int_equal(run(msg, sizeof msg, "report --template %s -o - >/dev/null", tpl), 2);
	assert_non_null(strstr(msg, "does not match manifest.json"));
	// No manifest but a journal: a run that stopped before its last file.
	snprintf(path, sizeof path, "%s/manifest.json", c);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(run(msg, sizeof msg, "diff %s %s >/dev/null", a, c), 2);
	assert_non_null(strstr(msg, "incomplete result set"));
}

// -o with a path of 1,120 characters used to rename all five files onto one
// (a 1,100-byte buffer) with exit 0. Every file is now where it belongs; a
// path past the system's limit is refused with exit 2.
static void test_long_output_path(void **state)
{
	(void)state;
	char d[64], cfg[128], msg[2048];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	small_config(cfg, 3, "");
	char *out = malloc(6000);
	assert_non_null(out);
	strcpy(out, d);
	while (strlen(out) < 1120)
		strcat(out, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	assert_int_equal(run(NULL, 0, "run %s -o %s --quiet", cfg, out), 0);
	const char *files[] = {"results.csv", "results.json", "config.resolved.yaml", "machines.resolved.yaml",
			       "manifest.json"};
	char *p = malloc(strlen(out) + 64);
	assert_non_null(p);
	for (int i = 0; i < 5; i++) {
		sprintf(p, "%s/%s", out, files[i]);
		struct stat st;
		if (stat(p, &st) || st.st_size == 0)
			fail_msg("%s is missing", files[i]);
	}
	assert_int_equal(run(msg, sizeof msg, "diff %s %s >/dev/null", out, out), 0);
	// The other writers of result folders: faults, replay (both used a
	// 1,024- or 1,100-byte buffer for DIR/results.csv).
	strcat(out, "/other");
	assert_int_equal(run(msg, sizeof msg, "faults configs/extension-faults.yaml -o %s >/dev/null", out), 0);
	sprintf(p, "%s/results.json", out);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(run(msg, sizeof msg, "replay --arch l4 -o %s tests/data/replay/pattern.trace >/dev/null", out), 0);
	sprintf(p, "%s/results.json", out);
	assert_int_equal(access(p, F_OK), 0);
	while (strlen(out) < 5000)
		strcat(out, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s --quiet", cfg, out), 2);
	assert_non_null(strstr(msg, "File name too long"));
	free(p);
	free(out);
}

// A failed write to standard output exits 1 with a message, for every command.
static void test_stdout_full(void **state)
{
	(void)state;
	const char *cmds[] = {"list", "list machines", "--version", "--help", "trace --arch l4 read",
			      "trace --arch l4 read --format json", "validate", "run tests/data/sweep/slow.yaml --help",
			      "virtcheck --help", "check labs/1 --print-template", "cachesim --help"};
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		char msg[2048];
		int rc = run(msg, sizeof msg, "%s >/dev/full", cmds[i]);
		if (rc != 1 || !strstr(msg, "cannot write to standard output"))
			fail_msg("osarch %s >/dev/full: exit %d, '%s'", cmds[i], rc, msg);
	}
}

// A FIFO (or a device) as an input used to hang, and /dev/zero as a
// template to read until memory ran out: refused at once with exit 2.
static void test_nonregular_inputs(void **state)
{
	(void)state;
	char d[64], fifo[128], msg[2048], path[160];
	mktmp(d, sizeof d);
	snprintf(fifo, sizeof fifo, "%s/fifo", d);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	time_t t0 = time(NULL);
	assert_int_equal(run(msg, sizeof msg, "run %s --quiet", fifo), 2);
	assert_non_null(strstr(msg, "not a regular file"));
	assert_int_equal(run(msg, sizeof msg, "report --template /dev/zero -o -"), 2);
	assert_non_null(strstr(msg, "not a regular file"));
	assert_int_equal(run(msg, sizeof msg, "check labs/1 %s", fifo), 2);
	assert_non_null(strstr(msg, "not a regular file"));
	snprintf(path, sizeof path, "%s/m.yaml", d);
	char text[256];
	snprintf(text, sizeof text, "inherit: %s\nname: m\n", fifo);
	test_put(path, text);
	assert_int_equal(run(msg, sizeof msg, "trace --arch l4 --machine %s read", path), 2);
	assert_non_null(strstr(msg, "not a regular file"));
	assert_int_equal(run(msg, sizeof msg, "run /dev/zero --quiet"), 2);
	// A FIFO where the journal goes: refused, for run and for merge.
	char out[128], journal[160];
	snprintf(out, sizeof out, "%s/out", d);
	snprintf(journal, sizeof journal, "%s/.journal", out);
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(mkfifo(journal, 0644), 0);
	assert_int_equal(run(msg, sizeof msg, "run configs/default.yaml -o %s --quiet", out), 2);
	assert_non_null(strstr(msg, "not a regular file"));
	assert_int_equal(run(msg, sizeof msg, "merge configs/default.yaml %s -o %s/m", out, d), 2);
	assert_non_null(strstr(msg, "not a regular file"));
	assert_true(time(NULL) - t0 < 20); // nothing waited for a writer
}

// `name: ../../../tmp/x` used to write outside results/.
static void test_name_is_one_folder(void **state)
{
	(void)state;
	char d[64], cfg[128], msg[2048];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	const char *bad[] = {"../../../tmp/x", ".hidden", "a/b", "'..'"};
	for (int i = 0; i < 4; i++) {
		char text[256];
		snprintf(text, sizeof text, "archs: [l4]\nworkloads: [null]\nname: %s\n", bad[i]);
		test_put(cfg, text);
		assert_int_equal(run(msg, sizeof msg, "run %s --quiet", cfg), 2);
		char want[160];
		snprintf(want, sizeof want, "%s:3:7: error: experiment name", cfg);
		if (!strstr(msg, want))
			fail_msg("name %s: '%s'", bad[i], msg);
	}
}

// Hostile names through every output and back through every reader: a
// machine profile whose name has a quote, a backslash and a comma, a sweep
// of machine names with commas and quotes, an experiment name with a quote,
// a profile file name with a comma and a quote.
static void test_hostile_names_round_trip(void **state)
{
	(void)state;
	char d[64], cfg[128], mach[160], out[128], again[128], msg[2048];
	mktmp(d, sizeof d);
	char machq[200]; // as a single-quoted YAML scalar: the quote doubled
	snprintf(mach, sizeof mach, "%s/m, #x'q.yaml", d);
	snprintf(machq, sizeof machq, "%s/m, #x''q.yaml", d);
	test_put(mach, "inherit: modern\nname: \"we\\\"ird\\\\ m, x\"\n");
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	char text[1024];
	snprintf(text, sizeof text,
		 "name: 'hostile \"one\", \\ x: y'\nmachine: ['%s']\narchs: [monolithic, 'mach-multiserver:driver=user']\n"
		 "workloads: [null]\nwarmup: 1\nreps: 1\nsweep:\n  name: ['a,b', 'q\"x', \"s'q\", '# c', 'k: v', plain]\n",
		 machq);
	test_put(cfg, text);
	snprintf(out, sizeof out, "%s/out", d);
	snprintf(again, sizeof again, "%s/again", d);
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s --quiet", cfg, out), 0);
	const char *want[] = {"a,b", "q\"x", "s'q", "# c", "k: v", "plain"};
	// results.json: valid JSON with the names as they were.
	char path[256];
	snprintf(path, sizeof path, "%s/results.json", out);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("results.json: %s at %d:%d", je.text, je.line, je.column);
	assert_string_equal(json_string_value(json_object_get(root, "name")), "hostile \"one\", \\ x: y");
	json_t *pts = json_object_get(root, "points");
	assert_int_equal(json_array_size(pts), 12);
	for (int i = 0; i < 12; i++) {
		json_t *pt = json_array_get(pts, (size_t)i);
		assert_string_equal(json_string_value(json_object_get(pt, "machine")), want[i / 2]);
		assert_string_equal(json_string_value(json_object_get(json_object_get(pt, "sweep"), "name")), want[i / 2]);
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(pts, 1), "arch")),
			    "mach-multiserver:driver=user");
	json_decref(root);
	// manifest.json: valid JSON, the profile path as it was.
	snprintf(path, sizeof path, "%s/manifest.json", out);
	root = json_load_file(path, 0, &je);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(root, "machines"), 0), "name")),
			    mach);
	json_decref(root);
	// results.csv: every row has the header's number of fields (RFC 4180).
	snprintf(path, sizeof path, "%s/results.csv", out);
	char *csv = test_slurp(path);
	assert_non_null(csv);
	char *save = NULL, *hdr = strtok_r(csv, "\n", &save);
	char *f[80];
	int ncol = csv_split(hdr, f, 80);
	assert_true(ncol > 20);
	int machine = -1;
	for (int i = 0; i < ncol; i++)
		if (!strcmp(f[i], "machine"))
			machine = i;
	assert_int_equal(machine, 2);
	int row = 0;
	for (char *l = strtok_r(NULL, "\n", &save); l; l = strtok_r(NULL, "\n", &save), row++) {
		assert_int_equal(csv_split(l, f, 80), ncol);
		assert_string_equal(f[machine], want[row / 2]);
	}
	assert_int_equal(row, 12);
	free(csv);
	// The CSV readers: diff (of the folder with itself) and report.
	assert_int_equal(run(msg, sizeof msg, "diff %s %s >/dev/null", out, out), 0);
	char tpl[160];
	snprintf(tpl, sizeof tpl, "%s/t.md.in", d);
	char line[400];
	snprintf(line, sizeof line, "{{table %s/results.csv cols=machine,arch,traps}}\n", out);
	test_put(tpl, line);
	char md[160];
	snprintf(md, sizeof md, "%s/t.md", d);
	assert_int_equal(run(msg, sizeof msg, "report --template %s -o %s", tpl, md), 0);
	char *mdt = test_slurp(md);
	assert_non_null(mdt);
	for (int i = 0; i < 6; i++)
		if (!strstr(mdt, want[i]))
			fail_msg("report table lacks '%s': %s", want[i], mdt);
	free(mdt);
	// config.resolved.yaml loads back and runs to the same bytes.
	snprintf(path, sizeof path, "%s/config.resolved.yaml", out);
	struct experiment e;
	struct cfg_error err;
	if (experiment_load(&e, path, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(e.name, "hostile \"one\", \\ x: y");
	assert_string_equal(e.machines.v[0], mach);
	assert_string_equal(e.archs.v[1], "mach-multiserver:driver=user");
	for (int i = 0; i < 6; i++)
		assert_string_equal(e.sweep[0].values.v[i], want[i]);
	experiment_free(&e);
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s --quiet", path, again), 0);
	compare_sets(out, again);
	// machines.resolved.yaml: the key is the profile path as it was.
	snprintf(path, sizeof path, "%s/machines.resolved.yaml", out);
	struct ydoc y;
	if (ydoc_load_file(&y, path, &err))
		fail_msg("%s", err.msg);
	assert_non_null(map_get(&y, ydoc_root(&y), mach));
	ydoc_free(&y);
}

// A sweep value that makes the machine unbuildable, and an architecture the
// machine cannot run, are found when the experiment loads, at the config's
// line (they used to fail at run time, without a location, after the
// output folder and journal were made).
static void test_invalid_points_at_load(void **state)
{
	(void)state;
	char d[64], cfg[128], msg[2048], out[128], want[400];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	snprintf(out, sizeof out, "%s/out", d);
	// Each value is fine with the other's first: 512 bytes of 8 ways of
	// 64-byte lines is one set, 32K of 16 ways 32 sets; 512 bytes of 16 ways
	// is half a set.
	test_put(cfg, "name: x\narchs: [l4]\nworkloads: [null]\nsweep:\n  l1d.size: [32K, 512]\n  l1d.assoc: [8, 16]\n");
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s --quiet", cfg, out), 2);
	
	snprintf(want, sizeof want, "%s:5:3: error: machine modern with l1d.assoc=16, l1d.size=512 cannot be built", cfg);
	if (!strstr(msg, want))
		fail_msg("'%s'", msg);
	assert_int_equal(access(out, F_OK), -1); // nothing was created
	test_put(cfg, "name: x\nmachine: pentium-133\narchs: [l4, vm-hw]\nworkloads: [null]\n");
	assert_int_equal(run(msg, sizeof msg, "run %s -o %s --quiet", cfg, out), 2);
	snprintf(want, sizeof want, "%s:3:13: error: architecture vm-hw needs VT-x, which machine pentium-133", cfg);
	if (!strstr(msg, want))
		fail_msg("'%s'", msg);
	assert_int_equal(access(out, F_OK), -1);
}

// 140,000 architecture names used to be loaded one by one (55 s) before the
// point count refused them: the count is checked first. Unknown names make
// the order visible: the count's message, not "unknown architecture".
static void test_point_count_first(void **state)
{
	(void)state;
	char d[64], cfg[128];
	mktmp(d, sizeof d);
	snprintf(cfg, sizeof cfg, "%s/c.yaml", d);
	FILE *f = fopen(cfg, "w");
	assert_non_null(f);
	fprintf(f, "name: big\nworkloads: [null]\narchs:\n");
	for (int i = 0; i < 140000; i++)
		fprintf(f, "- x\n");
	fclose(f);
	struct experiment e;
	struct cfg_error err;
	assert_int_equal(experiment_load(&e, cfg, &err), -1);
	if (!strstr(err.msg, "more than 100000 points"))
		fail_msg("'%s'", err.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_other_config_refused),
		cmocka_unit_test(test_merge_other_config_refused),
		cmocka_unit_test(test_second_writer_refused),
		cmocka_unit_test(test_lock_released_while_waiting),
		cmocka_unit_test(test_torn_tail_repaired),
		cmocka_unit_test(test_short_write_said),
		cmocka_unit_test(test_manifest_checked),
		cmocka_unit_test(test_long_output_path),
		cmocka_unit_test(test_stdout_full),
		cmocka_unit_test(test_nonregular_inputs),
		cmocka_unit_test(test_name_is_one_folder),
		cmocka_unit_test(test_hostile_names_round_trip),
		cmocka_unit_test(test_invalid_points_at_load),
		cmocka_unit_test(test_point_count_first),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmp_clean(&tmp, failed);
	return failed;
}
