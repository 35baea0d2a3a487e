// grade.c: a lab's results for a course: Gradescope's autograder
// results.json for one submission, and a CSV of scores for a folder of them.
//
// results.json follows Gradescope's autograder specification
// (https://gradescope-autograders.readthedocs.io/en/latest/specs/): a
// top-level "score" and "output", and "tests", each with "name", "score",
// "max_score", "status" (passed/failed) and "output". One question is one
// point; a spec question (lab 3) is one point too; a multiple-choice
// question without the key scores 0 of 0 (not graded).
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static double max_of(const struct lab_outcome *o)
{
	return o->ungraded ? 0 : 1;
}

int lab_report_gradescope(FILE *out, const struct lab *l, const struct lab_report *rep, const char *error)
{
	json_t *root = json_object(), *tests = json_array();
	double score = 0;
	int bad = !root || !tests;
	for (int i = 0; !bad && !error && i < rep->n; i++) {
		const struct lab_outcome *o = &rep->o[i];
		const struct lab_question *q = &l->q[i];
		score += o->pass;
		json_t *t = json_pack("{s:s, s:f, s:f, s:s, s:s}", "name", q->id, "score", o->pass ? 1.0 : 0.0,
				      "max_score", max_of(o), "status", o->pass ? "passed" : "failed", "output",
				      o->pass ? "" : o->msg);
		bad |= !t || json_array_append_new(tests, t);
	}
	char summary[300];
	if (error)
		snprintf(summary, sizeof summary, "Your answer file could not be graded: %s", error);
	else
		snprintf(summary, sizeof summary, "lab %d: %d of %d passed%s", l->number,
			 rep->n - rep->failed - rep->ungraded, rep->n,
			 rep->ungraded ? " (the multiple-choice answers are graded later)" : "");
	if (!bad) {
		bad |= json_object_set_new(root, "score", json_real(score));
		bad |= json_object_set_new(root, "output", json_string(summary));
		bad |= json_object_set(root, "tests", tests);
	}
	if (!bad)
		bad = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF;
	json_decref(tests);
	json_decref(root);
	return bad ? -1 : 0;
}

// ---------------------------------------------------------------- a folder of submissions

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

// The *.yaml names of dir, sorted (so the CSV's order does not depend on the
// file system). Returns the count, or -1.
static int list_yaml(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0, cap = 0;
	char **v = NULL;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") || e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **bigger = realloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
			if (!bigger)
				break;
			v = bigger;
		}
		if (!(v[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
	*names = v;
	return n;
}

// A CSV field (RFC 4180): quoted, with quotes doubled.
static void csv_field(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
	fputc('"', out);
}

// One row: student, file, score, max_score, one 1/0 per question (empty when
// not graded), error.
static void grade_one(FILE *out, const char *labdir, const char *subdir, const char *name, const char *key_path,
		      const struct lab *master, struct lab *l, struct lab_report *rep)
{
	char student[LAB_ID] = "", path[1200];
	size_t len = strlen(name) - 5;
	snprintf(path, sizeof path, "%s/%s", subdir, name);
	snprintf(student, sizeof student, "%.*s", (int)(len < sizeof student ? len : sizeof student - 1), name);
	struct cfg_error err = {""};
	int rc = 2;
	memset(rep, 0, sizeof *rep);
	if (!lab_valid_student(student) || len >= sizeof student)
		snprintf(err.msg, sizeof err.msg, "%.400s: the file name is not a student ID (expected ID.yaml)", path);
	else if (!lab_load_variant(l, labdir, student, &err)) {
		if (!key_path || !lab_apply_key(l, key_path, &err))
			rc = lab_check(l, path, rep, &err);
		lab_free(l);
	}
	csv_field(out, student);
	fputc(',', out);
	csv_field(out, name);
	int score = rc == 2 ? 0 : rep->n - rep->failed - rep->ungraded, max = 0;
	for (int i = 0; i < master->nq; i++)
		max += rc == 2 || !rep->o[i].ungraded;
	fprintf(out, ",%d,%d", score, max);
	for (int i = 0; i < master->nq; i++)
		fprintf(out, rc == 2 || rep->o[i].ungraded ? "," : ",%d", rep->o[i].pass);
	fputc(',', out);
	csv_field(out, rc == 2 ? err.msg : "");
	fputc('\n', out);
}

int lab_grade_dir(const char *labdir, const char *subdir, const char *key_path, const char *csv_path,
		  struct cfg_error *err)
{
	struct lab *master = malloc(sizeof *master), *l = malloc(sizeof *l);
	struct lab_report *rep = malloc(sizeof *rep);
	char **names = NULL;
	int n = -1, rc = 2;
	FILE *out = NULL;
	if (!master || !l || !rep) {
		cfg_msgf(err, "osarch: out of memory");
		goto out;
	}
	if (lab_load(master, labdir, err))
		goto out;
	if (key_path && lab_apply_key(master, key_path, err)) // a bad key is the instructor's: stop here
		goto free_master;
	if ((n = list_yaml(subdir, &names)) < 0) {
		cfg_msgf(err, "%s: cannot read the folder: %s", subdir, strerror(errno));
		goto free_master;
	}
	if (!(out = fopen(csv_path, "w"))) {
		cfg_msgf(err, "%s: cannot write: %s", csv_path, strerror(errno));
		goto free_master;
	}
	fprintf(out, "student,file,score,max_score");
	for (int i = 0; i < master->nq; i++)
		fprintf(out, ",%s", master->q[i].id);
	fprintf(out, ",error\n");
	for (int i = 0; i < n; i++)
		grade_one(out, labdir, subdir, names[i], key_path, master, l, rep);
	rc = 0;
	if (fclose(out)) {
		cfg_msgf(err, "%s: cannot write: %s", csv_path, strerror(errno));
		rc = 2;
	}
free_master:
	lab_free(master);
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(master);
	free(l);
	free(rep);
	return rc;
}
