/*
 * unit.h - what every cmocka unit test includes.
 */
#ifndef SV_UNIT_H
#define SV_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* A fresh empty directory under $TMPDIR for one test; caller frees. */
char *unit_tmpdir(void);
/* rm -rf of a tmpdir made by unit_tmpdir. */
void unit_rmtree(const char *path);

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>

static int unit__rm(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb; (void)flag; (void)f;
	return remove(p);
}

char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (!base)
		base = "/tmp";
	if (asprintf(&p, "%s/sv-unit-XXXXXX", base) < 0 || !mkdtemp(p))
		abort();
	return p;
}

void unit_rmtree(const char *path)
{
	nftw(path, unit__rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
