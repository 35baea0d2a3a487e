// test_check.c: `osarch check` on the five labs of labs/.
//
// Every lab's checker passes the model's own answer (the --print-solution
// output, generated here into a temporary file, never a committed one) and
// fails a hand-made wrong answer (tests/data/check/labN-wrong.yaml) on
// exactly the questions that are wrong. Labs are loaded as the instructor
// sees them (with the key file instructor/keys.yaml); without the key a
// multiple-choice question is "not graded". Bad answer and lab files give one
// "path:line:col: error: ..." line and exit 2. The knee rule of lab 2 is
// recomputed here from run_point, independently of src/core/labcheck.c.
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "commands.h"
#include "experiment.h"

static struct lab *load(const char *dir)
{
	struct lab *l = malloc(sizeof *l);
	struct cfg_error err;
	assert_non_null(l);
	if (lab_load(l, dir, &err) || lab_apply_key(l, "instructor/keys.yaml", &err))
		fail_msg("%s", err.msg);
	return l;
}

static void unload(struct lab *l)
{
	lab_free(l);
	free(l);
}

// Writes the lab's solution (or template) into a temporary file; returns its path.
static char *print_to_file(const struct lab *l, int solution)
{
	char *path = strdup("/tmp/osarch-check-XXXXXX");
	assert_non_null(path);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	struct cfg_error err;
	if (solution) {
		if (lab_print_solution(f, l, &err))
			fail_msg("%s", err.msg);
	} else {
		// the template is what cmd_check --print-template writes
		int saved = dup(1);
		fflush(stdout);
		dup2(fd, 1);
		char *argv[] = {"check", (char *)l->path, "--print-template", NULL};
		int rc = cmd_check(3, argv);
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		assert_int_equal(rc, 0);
	}
	fclose(f);
	return path;
}

static int check(const struct lab *l, const char *answer, struct lab_report *rep, char *msg, size_t n)
{
	struct cfg_error err;
	err.msg[0] = 0;
	int rc = lab_check(l, answer, rep, &err);
	snprintf(msg, n, "%s", err.msg);
	return rc;
}

static void test_solutions_pass(void **state)
{
	(void)state;
	for (int n = 1; n <= 5; n++) {
		char dir[32];
		snprintf(dir, sizeof dir, "labs/%d", n);
		struct lab *l = load(dir);
		char *sol = print_to_file(l, 1);
		struct lab_report *rep = malloc(sizeof *rep);
		char msg[600];
		int rc = check(l, sol, rep, msg, sizeof msg);
		if (rc)
			fail_msg("lab %d: rc %d %s%s", n, rc, msg, rc == 1 ? rep->o[0].msg : "");
		assert_int_equal(rep->n, l->nq);
		assert_int_equal(rep->failed, 0);
		unlink(sol);
		free(sol);
		free(rep);
		unload(l);
	}
}

// The failing question ids, space-separated, in lab order.
static void failing(const struct lab_report *rep, char *buf, size_t n)
{
	buf[0] = 0;
	for (int i = 0; i < rep->n; i++)
		if (!rep->o[i].pass)
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", buf[0] ? " " : "", rep->o[i].id);
}

static const struct lab_outcome *outcome(const struct lab_report *rep, const char *id)
{
	for (int i = 0; i < rep->n; i++)
		if (!strcmp(rep->o[i].id, id))
			return &rep->o[i];
	fail_msg("no outcome %s", id);
	return NULL;
}

// Checks `answer`: exit 1, failing exactly on `ids`. Returns the report (to free).
static struct lab_report *expect_fails(const char *dir, const char *answer, const char *ids)
{
	struct lab *l = load(dir);
	struct lab_report *rep = malloc(sizeof *rep);
	char msg[600], got[600];
	int rc = check(l, answer, rep, msg, sizeof msg);
	if (rc == 2)
		fail_msg("%s: %s", answer, msg);
	failing(rep, got, sizeof got);
	assert_string_equal(got, ids);
	assert_int_equal(rc, 1);
	unload(l);
	return rep;
}

// The wrong answers fail on exactly the wrong questions, with the hint
// that fits the direction of the mistake.
static void test_wrong_answers_fail(void **state)
{
	(void)state;
	struct lab_report *rep = expect_fails("labs/1", "tests/data/check/lab1-wrong.yaml",
		"mach-traps l4-multiserver-traps exokernel-traps disk-traps");
	assert_non_null(strstr(outcome(rep, "disk-traps")->msg,
			       "you answered 7: too high. A reply or an interrupt that the kernel delivers"));
	assert_non_null(strstr(outcome(rep, "mach-traps")->msg,
			       "you answered 2: too low. Count every entry from user mode"));
	free(rep);

	// {answer} is replaced in hints; an unanswered question says so.
	rep = expect_fails("labs/2", "tests/data/check/lab2-wrong.yaml", "mach-knee mach-cost-of-8k l4-footprint");
	assert_non_null(strstr(outcome(rep, "mach-knee")->msg, "you answered 8K: too small. At 8K Mach's round trip"));
	assert_non_null(strstr(outcome(rep, "mach-cost-of-8k")->msg, "too high (not within 10% of the model's figure)"));
	assert_string_equal(outcome(rep, "l4-footprint")->msg, "not answered.");
	free(rep);

	free(expect_fails("labs/3", "tests/data/check/lab3-wrong.yaml",
			  "read-disk-traps read-disk-messages read-disk-cycles"));
	// Right predictions about the unchanged starting file: it is no hybrid.
	rep = expect_fails("labs/3", "tests/data/check/lab3-start.yaml", "driver-in-server");
	assert_non_null(strstr(outcome(rep, "driver-in-server")->msg,
			       "driver runs in domain 'kernel', ring 0; the lab asks for user mode."));
	free(rep);

	rep = expect_fails("labs/4", "tests/data/check/lab4-wrong.yaml",
			   "pv-null-hypercalls bt-null-mode-switches bt-monitor-ops mechanism");
	assert_non_null(strstr(outcome(rep, "bt-monitor-ops")->msg, "you listed [vmm.reflect]: 1 operation is missing."));
	assert_non_null(strstr(outcome(rep, "mechanism")->msg, "you chose a."));
	free(rep);

	free(expect_fails("labs/5", "tests/data/check/lab5-wrong.yaml", "isolation-cycles driver-ring null-deref"));
}

// An empty template: every answer "not answered" (exit 1); lab 3 needs its
// architecture file first (exit 2). The committed answer-template.yaml is
// the generated one.
static void test_templates(void **state)
{
	(void)state;
	for (int n = 1; n <= 5; n++) {
		char dir[32];
		snprintf(dir, sizeof dir, "labs/%d", n);
		struct lab *l = load(dir);
		char *t = print_to_file(l, 0);
		struct lab_report *rep = malloc(sizeof *rep);
		char msg[600];
		int rc = check(l, t, rep, msg, sizeof msg);
		if (n == 3) {
			assert_int_equal(rc, 2);
			assert_non_null(strstr(msg, ": error: missing 'arch_file': The path of your architecture file"));
		} else {
			assert_int_equal(rc, 1);
			assert_int_equal(rep->failed, l->nq);
			for (int i = 0; i < rep->n; i++)
				assert_string_equal(rep->o[i].msg, "not answered.");
		}
		// The committed template is this output (regenerate it after editing lab.yaml).
		char committed[64], *a = NULL, *b = NULL;
		size_t na = 0, nb = 0;
		snprintf(committed, sizeof committed, "labs/%d/answer-template.yaml", n);
		FILE *fa = fopen(t, "r"), *fb = fopen(committed, "r");
		assert_non_null(fa);
		assert_non_null(fb);
		assert_true(getdelim(&a, &na, 0, fa) > 0);
		assert_true(getdelim(&b, &nb, 0, fb) > 0);
		assert_string_equal(a, b);
		fclose(fa);
		fclose(fb);
		free(a);
		free(b);
		unlink(t);
		free(t);
		free(rep);
		unload(l);
	}
}

static void expect_error(const char *dir, const char *answer, const char *want)
{
	struct lab *l = load(dir);
	struct lab_report *rep = malloc(sizeof *rep);
	char msg[600];
	assert_int_equal(check(l, answer, rep, msg, sizeof msg), 2);
	assert_string_equal(msg, want);
	free(rep);
	unload(l);
}

static void test_bad_answer_files(void **state)
{
	(void)state;
	expect_error("labs/1", "tests/data/check/bad-number.yaml",
		     "tests/data/check/bad-number.yaml:3:21: error: 'one' is not a number (expected a number for "
		     "'monolithic-traps')");
	expect_error("labs/5", "tests/data/check/bad-unknown.yaml",
		     "tests/data/check/bad-unknown.yaml:4:3: error: unknown question 'extra-trap' (expected one of: "
		     "extra-traps, extra-as-switches, extra-messages, isolation-cycles, driver-ring, tcb-saved-kib, "
		     "null-deref)");
	expect_error("labs/1", "tests/data/check/bad-lab.yaml",
		     "tests/data/check/bad-lab.yaml:1:6: error: this answer file is for lab 2, not lab 1 (expected lab: 1)");
	expect_error("labs/4", "tests/data/check/bad-choice.yaml",
		     "tests/data/check/bad-choice.yaml:3:14: error: unknown choice 'e' for 'mechanism' (expected one "
		     "of: a, b, c, d)");
	expect_error("labs/4", "tests/data/check/bad-list.yaml",
		     "tests/data/check/bad-list.yaml:3:19: error: the answer to 'bt-monitor-ops' is not a list "
		     "(expected [service.op, ...] or [])");
	expect_error("labs/1", "tests/data/check/bad-duplicate.yaml",
		     "tests/data/check/bad-duplicate.yaml:4:3: error: duplicate answer 'mach-traps' (first at 3:3)");
	expect_error("labs/2", "tests/data/check/bad-size.yaml",
		     "tests/data/check/bad-size.yaml:3:14: error: 'big' is not a size (expected a size such as 16K for "
		     "'mach-knee')");
	expect_error("labs/3", "tests/data/check/bad-missing-arch.yaml",
		     "tests/data/check/bad-missing-arch.yaml:3:14: error: cannot open "
		     "'tests/data/check/no-such-arch.yaml' (expected the path of your architecture file, relative to "
		     "the current directory)");
	// A student's architecture file that does not load: its own location.
	expect_error("labs/3", "tests/data/check/bad-arch-file.yaml",
		     "tests/data/check/broken-arch.yaml:1:1: error: missing required key 'placement'");
	expect_error("labs/1", "tests/data/check/no-such-answer.yaml",
		     "tests/data/check/no-such-answer.yaml:1:1: error: cannot open: No such file or directory");
}

static void test_bad_lab_files(void **state)
{
	(void)state;
	struct lab *l = malloc(sizeof *l);
	struct cfg_error err;
	assert_int_equal(lab_load(l, "tests/data/check/badlab-metric", &err), -1);
	assert_non_null(strstr(err.msg, "tests/data/check/badlab-metric/lab.yaml:6:55: error: unknown value 'trap'"));
	assert_int_equal(lab_load(l, "tests/data/check/badlab-arch", &err), -1);
	assert_string_equal(err.msg, "tests/data/check/badlab-arch/lab.yaml:6:12: error: missing required key "
				     "'workload' (metric cycles is measured on a workload)");
	free(l);
}

// Runs cmd_check with stdout and stderr sent to /dev/null; returns its exit status.
static int run_cmd(int argc, char **argv)
{
	fflush(stdout);
	fflush(stderr);
	int o = dup(1), e = dup(2), nul = open("/dev/null", O_WRONLY);
	dup2(nul, 1);
	dup2(nul, 2);
	int rc = cmd_check(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	close(nul);
	return rc;
}

static void test_exit_codes(void **state)
{
	(void)state;
	char *help[] = {"check", "--help", NULL};
	char *none[] = {"check", NULL};
	char *both[] = {"check", "labs/1", "x.yaml", "--print-solution", NULL};
	char *sol[] = {"check", "labs/4", "--print-solution", NULL};
	char *keyed[] = {"check", "labs/4", "--print-solution", "--key", "instructor/keys.yaml", NULL};
	char *wrong[] = {"check", "labs/4", "tests/data/check/lab4-wrong.yaml", NULL};
	char *bad[] = {"check", "labs/4", "tests/data/check/bad-choice.yaml", NULL};
	char *nolab[] = {"check", "labs/99", "tests/data/check/bad-choice.yaml", NULL};
	assert_int_equal(run_cmd(2, help), 0);
	assert_int_equal(run_cmd(1, none), 2);
	assert_int_equal(run_cmd(4, both), 2);
	assert_int_equal(run_cmd(3, sol), 2); // the solution needs the instructor's key
	assert_int_equal(run_cmd(5, keyed), 0);
	assert_int_equal(run_cmd(3, wrong), 1);
	assert_int_equal(run_cmd(3, bad), 2);
	assert_int_equal(run_cmd(3, nolab), 2);
}

// Lab 2's knee, recomputed from run_point with the rule the handout states:
// the smallest swept size from which on every cycles figure is within 10%
// of the figure at 128K. The lab's own solution must name the same size,
// and Mach's knee must lie above L4's (the point of the lab).
static void test_knee_rule(void **state)
{
	(void)state;
	static const char *const sizes[] = {"1K", "2K", "4K", "8K", "16K", "32K", "64K", "128K"};
	const char *archs[] = {"mach", "l4"};
	int knee[2];
	struct service_set *svc = malloc(sizeof *svc);
	struct arch *a = malloc(sizeof *a);
	struct workload *w = malloc(sizeof *w);
	struct cfg_error err;
	assert_int_equal(load_services_default(svc, &err), 0);
	assert_int_equal(workload_load(w, "ipc-pingpong", svc, &err), 0);
	for (int k = 0; k < 2; k++) {
		double cyc[8];
		assert_int_equal(arch_load(a, archs[k], svc, &err), 0);
		for (int i = 0; i < 8; i++) {
			struct profile p;
			struct sweep_workload sw = {UINT32_MAX, UINT32_MAX};
			struct run_params rp = {10, 5, 0, 1};
			struct run_result r;
			assert_int_equal(profile_load(&p, "pentium-133", NULL, &err), 0);
			assert_int_equal(sweep_apply("l1i.size+l1d.size", sizes[i], &p, &sw, &err), 0);
			assert_int_equal(run_point(a, w, &p, &rp, &r, NULL), 0);
			cyc[i] = (double)(long long)(r.cycles * 10 + 0.5) / 10;
		}
		knee[k] = 7;
		for (int i = 7; i >= 0 && cyc[i] <= 1.10 * cyc[7]; i--)
			knee[k] = i;
	}
	assert_true(knee[0] > knee[1]);
	struct lab *l = load("labs/2");
	char *sol = print_to_file(l, 1);
	FILE *f = fopen(sol, "r");
	char line[256], want0[64], want1[64];
	int found = 0;
	snprintf(want0, sizeof want0, "  mach-knee: %s\n", sizes[knee[0]]);
	snprintf(want1, sizeof want1, "  l4-knee: %s\n", sizes[knee[1]]);
	while (fgets(line, sizeof line, f))
		found += !strcmp(line, want0) + !strcmp(line, want1);
	fclose(f);
	assert_int_equal(found, 2);
	unlink(sol);
	free(sol);
	unload(l);
	free(svc);
	free(a);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solutions_pass),
		cmocka_unit_test(test_wrong_answers_fail),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_bad_answer_files),
		cmocka_unit_test(test_bad_lab_files),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_knee_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
