/*
 * pages.h - the pages built into scrvaultd (web/, embedded at build time by
 * scripts/embed-web into build/gen/web_pages.c) and the two routes that
 * serve them: GET / (index.html) and GET /app/{file}.
 *
 * Only the files built in are ever served, each by its exact name: nothing
 * is read from the disk at run time, so no path can reach any other file.
 */
#ifndef SVD_PAGES_H
#define SVD_PAGES_H

#include <stddef.h>

typedef struct {
	const char *name;		/* "main.js": a base name, no directory */
	const unsigned char *data;
	size_t len;
} svd_page;

extern const svd_page svd_pages[];	/* ended by { NULL } */

/* The built-in file called exactly `name`, or NULL. */
const svd_page *svd_page_find(const char *name);
/* Its Content-Type by extension; NULL for an extension not served. */
const char *svd_page_type(const char *name);

#endif
