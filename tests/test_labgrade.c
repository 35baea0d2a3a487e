// test_labgrade.c: a course's side of the labs: students' variants
// (`osarch lab make`), the instructor's key, Gradescope's results.json and
// the grades CSV of a folder of submissions.
#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "commands.h"

#define KEY "instructor/keys.yaml"

static struct lab *load_for(const char *dir, const char *student, int keyed)
{
	struct lab *l = malloc(sizeof *l);
	struct cfg_error err;
	assert_non_null(l);
	if (lab_load_variant(l, dir, student, &err) || (keyed && lab_apply_key(l, KEY, &err)))
		fail_msg("%s", err.msg);
	return l;
}

static void unload(struct lab *l)
{
	lab_free(l);
	free(l);
}

static char *slurp(const char *path)
{
	char *text = test_slurp(path);
	if (!text)
		fail_msg("cannot open %s", path);
	return text;
}

// The solution of a variant, as text (the instructor's --print-solution).
static char *solution_of(const char *dir, const char *student, const char *path)
{
	struct lab *l = load_for(dir, student, 1);
	FILE *f = fopen(path, "w");
	struct cfg_error err;
	assert_non_null(f);
	if (lab_print_solution(f, l, &err))
		fail_msg("%s", err.msg);
	fclose(f);
	unload(l);
	return slurp(path);
}

// The answer to question `id` in a solution text ("  id: value").
static void answer_in(const char *text, const char *id, char *buf, size_t n)
{
	char key[80];
	snprintf(key, sizeof key, "\n  %s: ", id);
	const char *p = strstr(text, key);
	if (!p)
		fail_msg("no answer %s", id);
	p += strlen(key);
	size_t len = strcspn(p, "\n");
	snprintf(buf, n, "%.*s", (int)len, p);
}

static const char *param(const struct lab *l, const char *name)
{
	for (int i = 0; i < l->nparam; i++)
		if (!strcmp(l->param[i].name, name))
			return l->param[i].value;
	fail_msg("no param %s", name);
	return NULL;
}

// What `osarch lab make` writes for a student holds no key and no answer: the
// handout, the start file and an empty template. The lab folders of the
// repository hold no solution either, and a lab file that carries a key
// is refused.
static void test_student_tree_has_no_key(void **state)
{
	(void)state;
	for (int n = 1; n <= 5; n++) {
		char dir[32], out[64];
		snprintf(dir, sizeof dir, "labs/%d", n);
		snprintf(out, sizeof out, "/tmp/osarch-labmake-%d-%d", (int)getpid(), n);
		char *argv[] = {"lab", "make", dir, "--student", "s1234567", "-o", out, NULL};
		assert_int_equal(cmd_lab(7, argv), 0);
		DIR *d = opendir(out);
		assert_non_null(d);
		int files = 0;
		for (struct dirent *e; (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			files++;
			if (strcmp(e->d_name, "README.md") && strcmp(e->d_name, "start.yaml") &&
			    strcmp(e->d_name, "answer-template.yaml"))
				fail_msg("lab %d: unexpected file %s in the student's folder", n, e->d_name);
			char path[400];
			snprintf(path, sizeof path, "%s/%s", out, e->d_name);
			char *text = slurp(path);
			// no key line, no unreplaced parameter of the lab ($CALL ...)
			assert_null(strstr(text, "\n    key:"));
			assert_null(strstr(text, "$CALL"));
			assert_null(strstr(text, "$MACHINE"));
			if (!strcmp(e->d_name, "answer-template.yaml")) {
				// every answer line is empty: "  id:" then the end of the line
				assert_non_null(strstr(text, "student: \"s1234567\""));
				for (const char *p = strstr(text, "answers:\n"); p && (p = strstr(p, "\n  ")); p++)
					if (p[3] != '#' && p[3] != '\n' && p[3] != ' ') {
						size_t len = strcspn(p + 1, "\n");
						if (p[1 + len - 1] != ':')
							fail_msg("lab %d: a filled answer in the template: %.*s", n, (int)len, p + 1);
					}
			}
			free(text);
			unlink(path);
		}
		closedir(d);
		rmdir(out);
		assert_int_equal(files, 3);
		// the repository's lab folder: no solution file
		char sol[64];
		snprintf(sol, sizeof sol, "labs/%d/solution.yaml", n);
		assert_int_equal(access(sol, F_OK), -1);
	}
	struct lab *l = malloc(sizeof *l);
	struct cfg_error err;
	assert_int_equal(lab_load(l, "tests/data/check/badlab-key", &err), -1);
	assert_string_equal(err.msg, "tests/data/check/badlab-key/lab.yaml:11:5: error: unknown key 'key' (expected "
				     "one of: id, ask, query, spec, choices, tolerance, hint, hint_high, hint_low)");
	free(l);
	// without the key a choice is not graded, and there is no solution
	l = load_for("labs/4", NULL, 0);
	FILE *f = fopen("/dev/null", "w");
	assert_int_equal(lab_print_solution(f, l, &err), 2);
	fclose(f);
	assert_non_null(strstr(err.msg, "question 'mechanism' has no key (expected --key FILE)"));
	struct lab_report *rep = malloc(sizeof *rep);
	assert_int_equal(lab_check(l, "tests/data/check/lab4-wrong.yaml", rep, &err), 1);
	assert_int_equal(rep->ungraded, 1);
	assert_int_equal(rep->failed, 3); // lab4-wrong's three wrong numeric answers; its wrong choice is not graded
	free(rep);
	unload(l);
}

// Two students get different answers, each passes with their own, and the
// same ID gives the same variant. The IDs were picked so that every param
// differs: lab 1 CALL (3 values), lab 4 PTWORK (2), lab 5 MACHINE (3) are
// lab_seed(ID, NAME) mod the count (alice: stat, fork, core2-vtx; carol:
// read, exec, xeon-2003); the test asserts the picks differ first,
// so a change of the hash fails here and not in a puzzling way below.
static void test_two_students_differ(void **state)
{
	(void)state;
	const char *a = "alice", *b = "carol";
	struct lab *la = load_for("labs/4", a, 1), *lb = load_for("labs/4", b, 1);
	assert_string_not_equal(param(la, "PTWORK"), param(lb, "PTWORK"));
	// the shuffled choices: the key follows the text, whatever its letter
	int ka = -1, kb = -1;
	for (int i = 0; i < la->q[la->nq - 1].choices.n; i++) {
		if (!strcmp(la->q[la->nq - 1].choices.c[i].key, la->q[la->nq - 1].key))
			ka = i;
		if (!strcmp(lb->q[lb->nq - 1].choices.c[i].key, lb->q[lb->nq - 1].key))
			kb = i;
	}
	assert_true(ka >= 0 && kb >= 0);
	assert_string_equal(la->q[la->nq - 1].choices.c[ka].orig, "b"); // instructor/keys.yaml: lab4 mechanism b
	assert_string_equal(lb->q[lb->nq - 1].choices.c[kb].orig, "b");
	unload(la);
	unload(lb);

	char pa[64], pb[64], pa2[64];
	snprintf(pa, sizeof pa, "/tmp/osarch-sol-a-%d.yaml", (int)getpid());
	snprintf(pb, sizeof pb, "/tmp/osarch-sol-b-%d.yaml", (int)getpid());
	snprintf(pa2, sizeof pa2, "/tmp/osarch-sol-a2-%d.yaml", (int)getpid());
	struct { const char *dir, *param, *question; } cases[] = {
		{"labs/1", "CALL", "mach-multiserver-traps"},
		{"labs/4", "PTWORK", "pv-pt-hypercalls"},
		{"labs/5", "MACHINE", "isolation-cycles"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		la = load_for(cases[c].dir, a, 0);
		lb = load_for(cases[c].dir, b, 0);
		assert_string_not_equal(param(la, cases[c].param), param(lb, cases[c].param));
		unload(la);
		unload(lb);
		char *sa = solution_of(cases[c].dir, a, pa), *sb = solution_of(cases[c].dir, b, pb);
		char *sa2 = solution_of(cases[c].dir, a, pa2);
		assert_string_equal(sa, sa2); // the same ID, the same variant
		char va[64], vb[64];
		answer_in(sa, cases[c].question, va, sizeof va);
		answer_in(sb, cases[c].question, vb, sizeof vb);
		assert_string_not_equal(va, vb);
		// each passes with their own answers; alice's file is refused for carol
		struct lab *l = load_for(cases[c].dir, a, 1);
		struct lab_report *rep = malloc(sizeof *rep);
		struct cfg_error err;
		assert_int_equal(lab_check(l, pa, rep, &err), 0);
		unload(l);
		l = load_for(cases[c].dir, b, 1);
		assert_int_equal(lab_check(l, pb, rep, &err), 0);
		assert_int_equal(lab_check(l, pa, rep, &err), 2);
		assert_non_null(strstr(err.msg, "error: this answer file is for student 'alice', graded as 'carol'"));
		unload(l);
		free(rep);
		free(sa);
		free(sb);
		free(sa2);
	}
	unlink(pa);
	unlink(pb);
	unlink(pa2);
}

// Gradescope's results.json: a top-level score and output, and one test per
// question with name, score, max_score, status and output (the autograder
// specification, gradescope-autograders.readthedocs.io/en/latest/specs/).
// lab4-wrong.yaml fails 4 of 9 questions (test_check.c), so score 5.
static void test_gradescope_json(void **state)
{
	(void)state;
	char out[64];
	snprintf(out, sizeof out, "/tmp/osarch-gs-%d.json", (int)getpid());
	char *argv[] = {"check", "labs/4", "tests/data/check/lab4-wrong.yaml", "--key", KEY, "--format", "gradescope",
			"-o", out, NULL};
	assert_int_equal(cmd_check(9, argv), 0);
	json_error_t jerr;
	json_t *root = json_load_file(out, 0, &jerr);
	if (!root)
		fail_msg("%s:%d: %s", out, jerr.line, jerr.text);
	assert_true(json_is_number(json_object_get(root, "score")));
	assert_true(json_number_value(json_object_get(root, "score")) == 5.0);
	assert_true(json_is_string(json_object_get(root, "output")));
	json_t *tests = json_object_get(root, "tests");
	assert_true(json_is_array(tests));
	assert_int_equal(json_array_size(tests), 9);
	double sum = 0;
	int failed = 0;
	for (size_t i = 0; i < json_array_size(tests); i++) {
		json_t *t = json_array_get(tests, i);
		assert_true(json_is_string(json_object_get(t, "name")));
		assert_true(json_is_number(json_object_get(t, "score")));
		assert_true(json_number_value(json_object_get(t, "max_score")) == 1.0);
		const char *status = json_string_value(json_object_get(t, "status"));
		const char *output = json_string_value(json_object_get(t, "output"));
		assert_non_null(status);
		assert_non_null(output);
		assert_true(!strcmp(status, "passed") || !strcmp(status, "failed"));
		if (!strcmp(status, "failed")) {
			failed++;
			assert_true(strlen(output) > 0); // the hint
		}
		sum += json_number_value(json_object_get(t, "score"));
	}
	assert_int_equal(failed, 4);
	assert_true(sum == 5.0);
	json_decref(root);

	// a broken answer file: score 0, the message as the output, exit 0
	char *bad[] = {"check", "labs/4", "tests/data/check/bad-choice.yaml", "--key", KEY, "--format", "gradescope",
		       "-o", out, NULL};
	assert_int_equal(cmd_check(9, bad), 0);
	root = json_load_file(out, 0, &jerr);
	assert_non_null(root);
	assert_true(json_number_value(json_object_get(root, "score")) == 0.0);
	assert_int_equal(json_array_size(json_object_get(root, "tests")), 0);
	assert_non_null(strstr(json_string_value(json_object_get(root, "output")), "unknown choice 'e'"));
	json_decref(root);
	unlink(out);
}

// A folder of submissions: one row per ID.yaml, sorted by file name; a file
// naming another student, or a file name that is no ID, is a row with its
// error and score 0.
static void test_grades_csv(void **state)
{
	(void)state;
	char dir[64], path[128], csv[128];
	snprintf(dir, sizeof dir, "/tmp/osarch-subs-%d", (int)getpid());
	snprintf(csv, sizeof csv, "%s.csv", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/alice.yaml", dir);
	free(solution_of("labs/5", "alice", path));
	snprintf(path, sizeof path, "%s/bob.yaml", dir); // bob hands in alice's file
	free(solution_of("labs/5", "alice", path));
	snprintf(path, sizeof path, "%s/not an id.yaml", dir);
	free(solution_of("labs/5", "alice", path));
	char *argv[] = {"check", "labs/5", dir, "--grades", csv, "--key", KEY, NULL};
	assert_int_equal(cmd_check(7, argv), 0);
	char *text = slurp(csv);
	const char *want_head = "student,file,score,max_score,extra-traps,extra-as-switches,extra-messages,"
				"isolation-cycles,driver-ring,tcb-saved-kib,null-deref,error\n";
	assert_memory_equal(text, want_head, strlen(want_head));
	const char *row1 = text + strlen(want_head);
	const char *want1 = "\"alice\",\"alice.yaml\",7,7,1,1,1,1,1,1,1,\"\"\n";
	assert_memory_equal(row1, want1, strlen(want1));
	const char *row2 = row1 + strlen(want1);
	const char *want2 = "\"bob\",\"bob.yaml\",0,7,,,,,,,,\"";
	assert_memory_equal(row2, want2, strlen(want2));
	assert_non_null(strstr(row2, "this answer file is for student 'alice', graded as 'bob'"));
	const char *row3 = strchr(row2, '\n') + 1;
	assert_non_null(strstr(row3, "\"not an id\",\"not an id.yaml\",0,7,"));
	assert_non_null(strstr(row3, "the file name is not a student ID"));
	free(text);
	unlink(csv);
	snprintf(path, sizeof path, "%s/alice.yaml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/bob.yaml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/not an id.yaml", dir);
	unlink(path);
	rmdir(dir);
}

// Substitution replaces whole words only, and the seed is stable.
static void test_substitute(void **state)
{
	(void)state;
	struct lab_param p[2] = {{"CALL", "stat"}, {"CALLS", "many"}};
	char *s = lab_substitute("$CALL $CALLS $CALLx $CALL_ $INPUT $arch_file.", p, 2);
	assert_string_equal(s, "stat many $CALLx $CALL_ $INPUT $arch_file.");
	free(s);
	int perm[4];
	lab_shuffle(perm, 4, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(perm[i], i);
	assert_true(lab_seed("alice", "CALL") == lab_seed("alice", "CALL"));
	assert_true(lab_seed("alice", "CALL") != lab_seed("alicf", "CALL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_student_tree_has_no_key),
		cmocka_unit_test(test_two_students_differ),
		cmocka_unit_test(test_gradescope_json),
		cmocka_unit_test(test_grades_csv),
		cmocka_unit_test(test_substitute),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
