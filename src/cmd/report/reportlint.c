// reportlint.c: the slips a generated report must not have (report_lint,
// include/cmd/report.h): a figure that is not a number ("NaN", "inf"), an empty
// table cell, and a figure file that does not exist. tests/test_report.c
// runs it on the committed REPORT.md.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "report.h"

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

// Whole words nan, inf, infinity in any case ("information" is no slip).
static const char *nonfinite_word(const char *line, size_t len)
{
	static const char *const words[] = {"nan", "inf", "infinity", NULL};
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && word_char(line[i - 1]))
			continue;
		for (int w = 0; words[w]; w++) {
			size_t k = strlen(words[w]);
			if (i + k <= len && !strncasecmp(line + i, words[w], k) && (i + k == len || !word_char(line[i + k])))
				return words[w];
		}
	}
	return NULL;
}

// An empty cell of a table row "| a | | c |" (the separator row |---| is
// not checked; an escaped \| is inside a cell).
static int empty_cell(const char *line, size_t len)
{
	if (!len || line[0] != '|')
		return 0;
	int sep = 1;
	for (size_t i = 0; i < len; i++)
		if (!strchr("|-: \t", line[i]))
			sep = 0;
	if (sep)
		return 0;
	size_t start = 1;
	for (size_t i = 1; i < len; i++) {
		if (line[i] != '|' || line[i - 1] == '\\')
			continue;
		int blank = 1;
		for (size_t j = start; j < i; j++)
			if (!isspace((unsigned char)line[j]))
				blank = 0;
		if (blank)
			return 1;
		start = i + 1;
	}
	return 0;
}

static int missing_figures(const char *line, size_t len, const char *name, int lineno, const char *dir, FILE *out)
{
	int n = 0;
	for (const char *p = line; (p = strstr(p, "](")) && p < line + len; p += 2) {
		const char *bang = p;
		while (bang > line && *bang != '[')
			bang--;
		if (bang == line || bang[-1] != '!')
			continue; // a link, not a figure
		const char *path = p + 2, *end = memchr(path, ')', (size_t)(line + len - path));
		if (!end || !strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
			continue;
		char full[1200];
		snprintf(full, sizeof full, "%s/%.*s", dir, (int)(end - path), path);
		if (access(full, R_OK)) {
			n++;
			if (out)
				fprintf(out, "%s:%d: the figure %.*s does not exist\n", name, lineno, (int)(end - path), path);
		}
	}
	return n;
}

int report_lint(const char *text, const char *name, const char *dir, FILE *out)
{
	int slips = 0, lineno = 0, fenced = 0;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		lineno++;
		if (len >= 3 && !strncmp(line, "```", 3)) {
			fenced = !fenced;
		} else if (!fenced) {
			const char *w = nonfinite_word(line, len);
			if (w) {
				slips++;
				if (out)
					fprintf(out, "%s:%d: '%s' where a figure should be: %.*s\n", name, lineno, w,
						(int)(len > 120 ? 120 : len), line);
			}
			if (empty_cell(line, len)) {
				slips++;
				if (out)
					fprintf(out, "%s:%d: an empty table cell: %.*s\n", name, lineno,
						(int)(len > 120 ? 120 : len), line);
			}
			slips += missing_figures(line, len, name, lineno, dir, out);
		}
		line += len;
		if (*line)
			line++;
	}
	return slips;
}
