// check.c: `osarch check LAB-DIR ANSWER.yaml`: its options, --help and
// output formats (text, Gradescope's results.json, a CSV of grades); the lab
// machinery is src/core/lab.c and labcheck.c.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "commands.h"

// ---------------------------------------------------------------- CLI

static const char usage_check[] =
	"usage: osarch check LAB-DIR ANSWER.yaml [--key FILE] [--student ID] [--format text|gradescope] [-o FILE]\n"
	"       osarch check LAB-DIR SUBMISSIONS/ --grades GRADES.csv [--key FILE]\n"
	"       osarch check LAB-DIR --print-solution --key FILE [--student ID]\n"
	"       osarch check LAB-DIR --print-template [--student ID]\n"
	"\n"
	"Checks the answers of a lab (labs/N/) against the model: each question of\n"
	"LAB-DIR/lab.yaml is computed by running the simulator, and a line `pass ID`\n"
	"or `fail ID: what was wrong and a hint` is printed for each. The answer\n"
	"file's `student:` names the variant it was made for (`osarch lab make`);\n"
	"the variant is rebuilt from LAB-DIR and that ID.\n"
	"Exit 0 when every graded answer passes, 1 when one fails, 2 on a bad lab,\n"
	"key or answer file.\n"
	"\n"
	"  --key FILE        the instructor's key file (instructor/keys.yaml): grades\n"
	"                    the multiple-choice questions (without it they are not graded)\n"
	"  --student ID      grade as this student's variant (the answer file must agree)\n"
	"  --format gradescope  write Gradescope's autograder results.json instead of\n"
	"                    text (exit 0 unless the lab or key is bad)\n"
	"  -o FILE           write the output to FILE instead of standard output\n"
	"  --grades CSV      grade every SUBMISSIONS/ID.yaml, one row per student\n"
	"  --print-solution  print an answer file filled from the model and the key\n"
	"  --print-template  print an empty answer file with the questions as comments\n";

struct check_args {
	const char *dir, *answer, *key, *student, *out, *grades;
	int mode;       // 0 check, 1 solution, 2 template
	int gradescope;
};

static int check_usage(const char *what, const char *arg)
{
	fprintf(stderr, "osarch: ");
	fprintf(stderr, what, arg);
	fprintf(stderr, "\n%s", usage_check);
	return 2;
}

static int parse_check_args(int argc, char **argv, struct check_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = !strcmp(s, "--key") ? &a->key : !strcmp(s, "--student") ? &a->student
				  : !strcmp(s, "-o") ? &a->out : !strcmp(s, "--grades") ? &a->grades : NULL;
		if (slot || !strcmp(s, "--format")) {
			if (i + 1 >= argc)
				return check_usage("%s needs a value", s);
			i++;
			if (slot)
				*slot = argv[i];
			else if (!strcmp(argv[i], "gradescope") || !strcmp(argv[i], "text"))
				a->gradescope = argv[i][0] == 'g';
			else
				return check_usage("unknown format '%s' (expected text or gradescope)", argv[i]);
		} else if (!strcmp(s, "--print-solution") || !strcmp(s, "--print-template")) {
			a->mode = s[8] == 's' ? 1 : 2;
		} else if (s[0] == '-' && s[1]) {
			return check_usage("unknown option '%s'", s);
		} else if (!a->dir) {
			a->dir = s;
		} else if (!a->answer) {
			a->answer = s;
		} else {
			return check_usage("unexpected '%s'", s);
		}
	}
	if (!a->dir)
		return check_usage("%s", "missing LAB-DIR");
	if (a->mode && a->answer)
		return check_usage("%s", "--print-solution and --print-template take no answer file");
	if (!a->mode && !a->answer)
		return check_usage("%s", "missing ANSWER.yaml");
	if (a->mode == 1 && !a->key)
		return check_usage("%s", "--print-solution needs the instructor's key (--key FILE)");
	if (a->grades && (a->mode || a->gradescope || a->student || a->out))
		return check_usage("%s", "--grades takes a folder of answer files and --key only");
	if (a->student && !lab_valid_student(a->student))
		return check_usage("bad student ID '%s' (expected letters, digits, '.', '_', '-', '@', '+')",
				   a->student);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_check, stdout);
			return 0;
		}
	struct check_args a;
	if (parse_check_args(argc, argv, &a))
		return 2;
	struct cfg_error err;
	if (a.grades) {
		int rc = lab_grade_dir(a.dir, a.answer, a.key, a.grades, &err);
		if (rc)
			fprintf(stderr, "%s\n", err.msg);
		return rc;
	}
	char student[LAB_ID] = "";
	if (a.student)
		snprintf(student, sizeof student, "%s", a.student);
	else if (a.answer)
		lab_answer_student(a.answer, student, sizeof student);
	if (student[0] && !lab_valid_student(student))
		student[0] = 0; // the answer loader reports the bad line
	struct lab *l = malloc(sizeof *l);
	struct lab_report *rep = malloc(sizeof *rep);
	FILE *out = stdout;
	int rc = 1;
	if (!l || !rep) {
		fprintf(stderr, "osarch: out of memory\n");
		goto out;
	}
	if (lab_load_variant(l, a.dir, student, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 2;
		goto out;
	}
	if (a.key && lab_apply_key(l, a.key, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		rc = 2;
		goto free_lab;
	}
	if (a.out && !(out = fopen(a.out, "w"))) {
		fprintf(stderr, "%s: cannot write: %s\n", a.out, strerror(errno));
		out = stdout;
		rc = 1;
		goto free_lab;
	}
	if (a.mode == 1)
		rc = lab_print_solution(out, l, &err);
	else if (a.mode == 2)
		rc = lab_print_template(out, l, &err);
	else {
		rc = lab_check(l, a.answer, rep, &err);
		if (a.gradescope) {
			// The autograder's job is the JSON: a bad answer file scores 0
			// with its message, and the run succeeds.
			if (lab_report_gradescope(out, l, rep, rc == 2 ? err.msg : NULL)) {
				fprintf(stderr, "osarch: cannot write the results\n");
				rc = 1;
				goto free_lab;
			}
			rc = 0;
		} else if (rc != 2) {
			lab_report_print(out, l, rep);
		}
	}
	if (rc == 2)
		fprintf(stderr, "%s\n", err.msg);
free_lab:
	lab_free(l);
out:
	if (out != stdout && fclose(out) && rc == 0) {
		fprintf(stderr, "%s: cannot write: %s\n", a.out, strerror(errno));
		rc = 1;
	}
	free(l);
	free(rep);
	return rc;
}
