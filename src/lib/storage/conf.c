/*
 * conf.c - git-config files read with libgit2's parser, see conf.h.
 *
 * This file must never write a configuration, open a repository, or
 * consult the system, global or a repository's configuration; a file that
 * does not parse is the caller's mistake (SCRVAULT_EUSAGE), named with
 * libgit2's message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "storage/conf.h"
#include "storage/git.h"
#include "base/common.h"

/*
 * Policy files are git-config text: libgit2's parser reads them (there is
 * no second parser).  Entries come back in file order, names as libgit2
 * gives them ("section.subsection.key", section and key lower-cased).
 */
void sv_conf_free(sv_conf_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].name);
		free(e[i].value);
	}
	free(e);
}

/*
 * libgit2 ends a parse error with "(in PATH:LINE)" or "(in PATH:LINE,
 * column COL)": the message
 * without that place, and the line (0 when the message names none).
 */
static int parse_failure(int *errline, const char *path)
{
	const git_error *e = git_error_last();
	char msg[1400], place[1100];
	const char *tail = NULL;
	int line = 0;

	snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "the file does not parse");
	if (snprintf(place, sizeof(place), " (in %s:", path) < (int)sizeof(place) && (tail = strstr(msg, place))) {
		const char *d = tail + strlen(place);

		while (*d >= '0' && *d <= '9' && line < 100000000)
			line = line * 10 + (*d++ - '0');
		if (d != tail + strlen(place) && (*d == ',' || *d == ')'))
			msg[tail - msg] = '\0';
		else
			line = 0;
	}
	if (errline)
		*errline = line;
	return sv_error(SCRVAULT_EUSAGE, "%s", msg);
}

int sv_conf_read(sv_conf_entry **out, size_t *n, int *errline, const char *path)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *entry;
	sv_conf_entry *list = NULL;
	size_t count = 0;
	int error;

	*out = NULL;
	*n = 0;
	if (errline)
		*errline = 0;
	if ((error = sv_git_init()) < 0)
		return error;
	if ((error = git_config_open_ondisk(&cfg, path)) < 0)
		return parse_failure(errline, path);
	if ((error = git_config_iterator_new(&it, cfg)) < 0) {
		error = sv_git_error(error, "cannot read the configuration");
		goto done;
	}
	while ((error = git_config_next(&entry, it)) == 0) {
		sv_conf_entry *grown = sv_realloc(list, (count + 1) * sizeof(*list));

		if (!grown) {
			error = SCRVAULT_ERROR;
			goto done;
		}
		list = grown;
		list[count].name = sv_strdup(entry->name);
		list[count].value = entry->value ? sv_strdup(entry->value) : NULL;
		count++;
		if (!list[count - 1].name || (entry->value && !list[count - 1].value)) {
			error = SCRVAULT_ERROR;
			goto done;
		}
	}
	if (error != GIT_ITEROVER) {
		error = sv_git_error(error, "cannot read the configuration");
		goto done;
	}
	error = 0;
	*out = list;
	*n = count;
	list = NULL;
	count = 0;
done:
	sv_conf_free(list, count);
	git_config_iterator_free(it);
	git_config_free(cfg);
	return error;
}
