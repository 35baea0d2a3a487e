// labmake.c: `osarch lab make LAB-DIR --student ID -o DIR`, a student's
// variant of a lab: the handout and start files with the variant's values,
// and the answer template naming the student. What the grader needs (the
// lab file's queries, the instructor's key) stays out of DIR: the checker
// rebuilds the variant from LAB-DIR and the ID in the answer file.
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "commands.h"
#include "lab.h"
#include "experiment.h"

static const char usage_lab[] =
	"usage: osarch lab make LAB-DIR --student ID -o DIR\n"
	"\n"
	"Writes the student's variant of a lab (labs/N) into DIR: README.md (the\n"
	"handout), answer-template.yaml (naming the student) and the lab's start\n"
	"files, with the values the ID picks from lab.yaml's params (machine,\n"
	"workload, architecture or parameter values) and the multiple-choice\n"
	"options in an order of its own. The same ID always gives the same variant.\n"
	"No key and no solution is written. Students check their answers with\n"
	"`osarch check LAB-DIR ANSWER.yaml`.\n";

// Files of the lab folder that never go to a student.
static int instructor_only(const char *name)
{
	return !strcmp(name, "lab.yaml") || !strcmp(name, "answer-template.yaml") || strstr(name, "solution") ||
	       strstr(name, "key") || name[0] == '.';
}

static int write_text(const char *path, const char *text, struct cfg_error *err)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF) {
		cfg_msgf(err, "%s: cannot write: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f)) {
		cfg_msgf(err, "%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

// The handout opens with who it is for and how to check.
static char *handout_preamble(const struct lab *l, const char *labdir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	fprintf(m, "> Your variant of lab %d (student ID `%s`): the machine, workloads and values\n"
		   "> below are yours, and so are the answers. Fill in `answer-template.yaml` of this\n"
		   "> folder and check it from the repository: `osarch check %s THIS-FOLDER/answer-template.yaml`.\n\n",
		l->number, l->student, labdir);
	fclose(m);
	return buf;
}

static int copy_substituted(const struct lab *l, const char *src, const char *dst, const char *preamble,
			    struct cfg_error *err)
{
	size_t len;
	char *text = cfg_read_file(src, CFG_MAX_FILE_BYTES, &len, err);
	if (!text)
		return -1;
	char *sub = lab_substitute(text, l->param, l->nparam);
	free(text);
	if (!sub) {
		cfg_msgf(err, "osarch: out of memory");
		return -1;
	}
	int rc = 0;
	if (preamble) {
		char *both = malloc(strlen(preamble) + strlen(sub) + 1);
		rc = both ? 0 : -1;
		if (both) {
			strcpy(both, preamble);
			strcat(both, sub);
			rc = write_text(dst, both, err);
		} else {
			cfg_msgf(err, "osarch: out of memory");
		}
		free(both);
	} else {
		rc = write_text(dst, sub, err);
	}
	free(sub);
	return rc;
}

static int make_variant(const char *labdir, const char *student, const char *outdir, struct cfg_error *err)
{
	struct lab *l = malloc(sizeof *l);
	int rc = -1;
	if (!l) {
		cfg_msgf(err, "osarch: out of memory");
		return -1;
	}
	if (lab_load_variant(l, labdir, student, err)) {
		free(l);
		return -1;
	}
	if (mkdir_p(outdir)) {
		cfg_msgf(err, "%s: cannot create: %s", outdir, strerror(errno));
		goto out;
	}
	DIR *d = opendir(labdir);
	if (!d) {
		cfg_msgf(err, "%s: cannot read the folder: %s", labdir, strerror(errno));
		goto out;
	}
	char src[1200], dst[1200];
	int bad = 0;
	for (struct dirent *e; !bad && (e = readdir(d));) {
		struct stat st;
		snprintf(src, sizeof src, "%s/%s", labdir, e->d_name);
		if (instructor_only(e->d_name) || stat(src, &st) || !S_ISREG(st.st_mode))
			continue;
		snprintf(dst, sizeof dst, "%s/%s", outdir, e->d_name);
		char *pre = !strcmp(e->d_name, "README.md") ? handout_preamble(l, labdir) : NULL;
		bad = copy_substituted(l, src, dst, pre, err);
		free(pre);
	}
	closedir(d);
	if (bad)
		goto out;
	snprintf(dst, sizeof dst, "%s/answer-template.yaml", outdir);
	FILE *f = fopen(dst, "w");
	if (!f) {
		cfg_msgf(err, "%s: cannot write: %s", dst, strerror(errno));
		goto out;
	}
	int prc = lab_print_template(f, l, err);
	if (fclose(f) && !prc) {
		cfg_msgf(err, "%s: cannot write: %s", dst, strerror(errno));
		goto out;
	}
	rc = prc ? -1 : 0;
out:
	lab_free(l);
	free(l);
	return rc;
}

int cmd_lab(int argc, char **argv)
{
	const char *labdir = NULL, *student = NULL, *outdir = NULL;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_lab, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "make")) {
		fprintf(stderr, "osarch: %s '%s' (expected make)\n%s", argc < 2 ? "missing" : "unknown lab command",
			argc < 2 ? "" : argv[1], usage_lab);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--student") ? &student : !strcmp(a, "-o") ? &outdir : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_lab, stdout);
			return 0;
		}
		if (slot && i + 1 < argc) {
			*slot = argv[++i];
		} else if (a[0] == '-' || labdir) {
			fprintf(stderr, "osarch: %s '%s'\n%s", slot ? "missing value of" : a[0] == '-' ? "unknown option"
				: "unexpected", a, usage_lab);
			return 2;
		} else {
			labdir = a;
		}
	}
	if (!labdir || !student || !outdir) {
		fprintf(stderr, "osarch: missing %s\n%s", !labdir ? "LAB-DIR" : !student ? "--student ID" : "-o DIR",
			usage_lab);
		return 2;
	}
	if (!lab_valid_student(student)) {
		fprintf(stderr, "osarch: bad student ID '%s' (expected letters, digits, '.', '_', '-', '@', '+')\n",
			student);
		return 2;
	}
	struct cfg_error err;
	if (make_variant(labdir, student, outdir, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	return 0;
}
