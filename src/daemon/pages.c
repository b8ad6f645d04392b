/*
 * pages.c - the browser's pages, served from the binary (pages.h).
 *
 * GET / answers index.html and GET /app/{file} the built-in file of that
 * exact name; anything else is 404.  Both answer while sealed and need no
 * session: the pages hold no data, they fetch it from the API with the
 * person's session.  The security headers (CSP and the rest) are added by
 * every reply function in http.c, so these answers have them too.  This
 * file must never read a file from the disk or build a path.
 */
#include <string.h>
#include "daemon.h"
#include "handlers.h"
#include "pages.h"

static const struct {
	const char *ext;
	const char *type;
} page_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ NULL, NULL }
};

const char *svd_page_type(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; page_types[i].ext; i++) {
		size_t e = strlen(page_types[i].ext);
		if (n > e && strcmp(name + n - e, page_types[i].ext) == 0)
			return page_types[i].type;
	}
	return NULL;
}

const svd_page *svd_page_find(const char *name)
{
	for (const svd_page *p = svd_pages; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static int page_answer(svd_req *r, const char *name)
{
	const svd_page *p = svd_page_find(name);
	const char *type = p ? svd_page_type(p->name) : NULL;

	if (r->query) {
		svd_reply_error(r, 400, 2, "the pages take no query: open / or /app/FILE as it is", NULL);
		return 0;
	}
	if (!p || !type) {
		svd_reply_error(r, 404, 4, "no such page: the service has only the files built into it "
				"(/ and /app/FILE)", NULL);
		return 0;
	}
	svd_reply_text(r, 200, type, (const char *)p->data, p->len);
	return 0;
}

int svd_h_page_index(svd_req *r)
{
	return page_answer(r, "index.html");
}

int svd_h_page_file(svd_req *r)
{
	return page_answer(r, r->m.params[0]);
}
