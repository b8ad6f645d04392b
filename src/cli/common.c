/*
 * common.c - what every command-line program of scrvault shares (scrvault,
 * scrvault-seal): parsing options, usage errors, library failures with the
 * hint of the option at fault, passphrases from a file or the terminal, and
 * JSON output.  It calls only the public calls that need no vault (error
 * messages, secrets, JSON), so a program that links base and crypto alone
 * can link it (mk/seal.mk).
 *
 * Passphrases are typed at /dev/tty with echo off and wiped from the stack
 * buffers they were typed into on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "cli.h"

#define SV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- what reaches a reader --------------------------------------------------- */

int cli_utf8_at(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned long c = s[0];
	int n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((size_t)i >= len)
			return -1;
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t cli_escape(char *out, const char *text, size_t len, unsigned flags, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned long c = 0;
		int n = cli_utf8_at(s + i, len - i, &c);

		if (n < 0 && (flags & CLI_ESC_PARTIAL))
			break;
		if (n <= 0) {			/* not UTF-8: the byte, escaped */
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
			i++;
			continue;
		}
		if ((c == '\n' || c == '\t') && (flags & CLI_ESC_LINES)) {
			out[o++] = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else if ((c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
			out[o++] = '\\';
			out[o++] = 'u';
			for (int k = 12; k >= 0; k -= 4)
				out[o++] = hex[(c >> k) & 15];
		} else {
			memcpy(out + o, s + i, (size_t)n);
			o += (size_t)n;
		}
		i += (size_t)n;
	}
	out[o] = '\0';
	if (used)
		*used = i;
	return o;
}

char *cli_escape_dup(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	char *out = malloc(6 * len + 1);

	if (out)
		cli_escape(out, s ? s : "", len, 0, NULL);
	return out;
}

/* A terminal stream's filter: the bytes of an incomplete character wait
 * for the next write. */
typedef struct {
	int fd;
	unsigned char held[4];
	size_t nheld;
} guard;

static int write_all(int fd, const char *b, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, b, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

static ssize_t guard_write(void *cookie, const char *buf, size_t len)
{
	guard *g = cookie;
	char in[512 + sizeof(g->held)], out[6 * sizeof(in) + 1];
	size_t done = 0;

	while (done < len) {
		size_t take = len - done < 512 ? len - done : 512, n, used = 0;

		memcpy(in, g->held, g->nheld);
		memcpy(in + g->nheld, buf + done, take);
		n = g->nheld + take;
		done += take;
		if (write_all(g->fd, out, cli_escape(out, in, n, CLI_ESC_LINES | CLI_ESC_PARTIAL, &used)) < 0)
			return -1;
		g->nheld = n - used;	/* at most 3: the start of one character */
		memcpy(g->held, in + used, g->nheld);
	}
	return (ssize_t)len;
}

static int guard_close(void *cookie)
{
	guard *g = cookie;
	char out[6 * sizeof(g->held) + 1];
	int rc = 0;

	if (g->nheld)
		rc = write_all(g->fd, out, cli_escape(out, (const char *)g->held, g->nheld, CLI_ESC_LINES, NULL));
	g->nheld = 0;
	return rc;
}

/* The guards of stdout and stderr: static, since exit() flushes the
 * guarded streams but never closes them. */
static guard guards[2];

static FILE *guarded(FILE *f, guard *g, int fd, const char *mode, int buffering)
{
	cookie_io_functions_t io = { .write = guard_write, .close = guard_close };
	FILE *nf;

	if (!isatty(fd))
		return f;
	memset(g, 0, sizeof(*g));
	g->fd = fd;
	if (!(nf = fopencookie(g, mode, io)))
		return f;
	setvbuf(nf, NULL, buffering, BUFSIZ);
	fflush(f);
	return nf;
}

void cli_guard_terminal(void)
{
	stdout = guarded(stdout, &guards[0], STDOUT_FILENO, "w", _IOLBF);
	stderr = guarded(stderr, &guards[1], STDERR_FILENO, "w", _IONBF);
}

/* The command running and the program's global options (set by cli_parse),
 * for the hints of cli_fail; `opening` while main unlocks the vault (the
 * global options then name the inputs first). */
static const cli_cmd *running;
static const cli_optdef *globals;
static bool opening;

void cli_opening(bool on)
{
	opening = on;
}

/* ---- options and failures ------------------------------------------------------ */

const char *cli_opt(const cli_args *a, const char *name)
{
	for (int i = a->nopts - 1; i >= 0; i--)
		if (strcmp(a->names[i], name) == 0)
			return a->values[i] ? a->values[i] : "";
	return NULL;
}

bool cli_flag(const cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
}

/* Whether the comma-separated list `list` holds `name` (of length len). */
static bool in_list(const char *list, const char *name, size_t len)
{
	while (list && *list) {
		size_t n = strcspn(list, ",");

		if (n == len && !strncmp(list, name, len))
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/* The option of `opts` that gives the library's input `field`, or NULL. */
static const cli_optdef *option_for(const cli_optdef *opts, const char *field, size_t len)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (in_list(opts[i].field, field, len))
			return &opts[i];
	return NULL;
}

/*
 * The hint for the library's error field(s): " (--case REF)", or for
 * several " (--doc DOC or --case REF)"; "" when no option of the running
 * command (or no global option) gives them.  Positional arguments have none.
 */
static const char *hint(char *buf, size_t len, const char *fields)
{
	const cli_optdef *seen[8];
	size_t nseen = 0, at = 0;

	while (fields && *fields) {
		size_t n = strcspn(fields, ",");
		const cli_optdef *own = running ? option_for(running->opts, fields, n) : NULL;
		const cli_optdef *global = option_for(globals, fields, n);
		const cli_optdef *o = opening && global ? global : own ? own : global;
		bool out = strcmp(o ? o->name : "", "output") == 0;	/* -o */
		bool dup = false;
		int w;

		fields += n + (fields[n] == ',');
		for (size_t i = 0; i < nseen; i++)
			dup |= seen[i] == o;
		if (!o || dup || nseen == SV_ARRAY_LEN(seen))
			continue;
		w = snprintf(buf + at, len - at, "%s%s%s%s%s", nseen ? " or " : " (", out ? "-o" : "--",
			     out ? "" : o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
		if (w < 0 || (size_t)w >= len - at - 1)
			return "";	/* no room for it all: none rather than half */
		at += (size_t)w;
		seen[nseen++] = o;
	}
	if (!nseen)
		return "";
	buf[at++] = ')';
	buf[at] = '\0';
	return buf;
}

int cli_fail(int code)
{
	char buf[256], *msg = cli_escape_dup(scrvault_error_message());

	/* A message may quote what a record or a bundle holds: escaped, one line. */
	fprintf(stderr, "%s: %s%s\n", cli_program, msg ? msg : "out of memory",
		hint(buf, sizeof(buf), scrvault_error_field()));
	free(msg);
	return code < 0 ? -code : 1;
}

int cli_fail_message(int code, const char *message, const char *field)
{
	char buf[256], *msg = cli_escape_dup(message ? message : "failed");

	fprintf(stderr, "%s: %s%s\n", cli_program, msg ? msg : "out of memory", hint(buf, sizeof(buf), field));
	free(msg);
	return code;
}

int cli_usage(const cli_args *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (a && a->cmd)
		fprintf(stderr, "usage: %s\n(see '%s%s%s -h')\n", a->cmd->usage, a->cmd->group,
			a->cmd->name ? " " : "", a->cmd->name ? a->cmd->name : "");
	return 2;
}


/* ---- passphrases ------------------------------------------------------------- */

static int prompt(char *buf, size_t len, const char *question)
{
	struct termios old, quiet;
	size_t n = 0;
	int fd, rc = -1;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (write(fd, question, strlen(question)) >= 0 &&
		    tcsetattr(fd, TCSAFLUSH, &quiet) == 0) {
			while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
				if (n + 1 < len)
					buf[n++] = c;
			buf[n] = '\0';
			tcsetattr(fd, TCSAFLUSH, &old);
			rc = write(fd, "\n", 1) >= 0 && n > 0 ? 0 : -1;
		}
	}
	close(fd);
	return rc;
}

int cli_ask(const char *question)
{
	char buf[16];
	size_t n = 0;
	int fd, rc = -1;
	char c;

	if (!isatty(STDIN_FILENO) || (fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, question, strlen(question)) >= 0) {
		while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
			if (n + 1 < sizeof(buf))
				buf[n++] = c;
		buf[n] = '\0';
		rc = (strcmp(buf, "y") == 0 || strcmp(buf, "yes") == 0) ? 1 : 0;
	}
	close(fd);
	return rc;
}

int cli_passphrase(scrvault_secret **out, const cli_args *a, const char *keyfile)
{
	const char *file = cli_opt(a, "passphrase-file");
	char buf[1024], q[1200];
	int error;

	*out = NULL;
	if (!file)
		file = getenv("SCRVAULT_PASSPHRASE_FILE");
	if (file && *file)
		return scrvault_secret_read_file(out, file);
	snprintf(q, sizeof(q), "Passphrase for %s: ", keyfile);
	if (prompt(buf, sizeof(buf), q) < 0)
		return 0;	/* none: the library says which is needed */
	error = scrvault_secret_new(out, buf, strlen(buf));
	explicit_bzero(buf, sizeof(buf));
	return error;
}

int cli_prompt_secret(scrvault_secret **out, const char *keyfile)
{
	char buf[1024], q[1200];
	int error;

	*out = NULL;
	snprintf(q, sizeof(q), "Passphrase for %s: ", keyfile);
	if (prompt(buf, sizeof(buf), q) < 0)
		return 0;
	error = scrvault_secret_new(out, buf, strlen(buf));
	explicit_bzero(buf, sizeof(buf));
	return error;
}

int cli_new_passphrase(scrvault_secret **out, const cli_args *a, const char *who)
{
	const char *file = cli_opt(a, "new-passphrase-file");
	char one[1024], two[1024], q[256];
	int error = 0;

	*out = NULL;
	if (file) {
		if ((error = scrvault_secret_read_file(out, file)) < 0 ||
		    (error = scrvault_passphrase_check(*out)) < 0) {
			scrvault_secret_free(*out);
			*out = NULL;
			(void)cli_fail(error);
		}
		return error;
	}
	snprintf(q, sizeof(q), "New passphrase for %s: ", who);
	if (prompt(one, sizeof(one), q) < 0) {
		fprintf(stderr, "%s: no passphrase for the new key file of '%s': give --new-passphrase-file FILE or run "
			"on a terminal\n", cli_program, who);
		return SCRVAULT_EUSAGE;
	}
	snprintf(q, sizeof(q), "Repeat the passphrase for %s: ", who);
	if (prompt(two, sizeof(two), q) < 0 || strcmp(one, two) != 0) {
		fprintf(stderr, "%s: the passphrases do not match\n", cli_program);
		error = SCRVAULT_EUSAGE;
	} else if ((error = scrvault_secret_new(out, one, strlen(one))) < 0 ||
		   (error = scrvault_passphrase_check(*out)) < 0) {
		scrvault_secret_free(*out);
		*out = NULL;
		(void)cli_fail(error);
	}
	explicit_bzero(one, sizeof(one));
	explicit_bzero(two, sizeof(two));
	return error;
}

/* ---- output -------------------------------------------------------------------- */

void cli_print_json(const scrvault_json *j)
{
	char *t = scrvault_json_text(j);

	printf("%s\n", t ? t : "null");
	free(t);
}

/* ---- parsing ------------------------------------------------------------------- */

int cli_parse(cli_args *a, int argc, char **argv, const cli_optdef *global_opts)
{
	struct option lo[CLI_MAX_OPTS * 2];
	int n = 0, c;

	for (int i = 0; global_opts[i].name; i++, n++)
		lo[n] = (struct option){ global_opts[i].name, global_opts[i].has_arg, NULL, 0 };
	for (int i = 0; a->cmd->opts && a->cmd->opts[i].name; i++, n++)
		lo[n] = (struct option){ a->cmd->opts[i].name, a->cmd->opts[i].has_arg, NULL, 0 };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	running = a->cmd;
	globals = global_opts;
	opterr = 0;
	optind = 1;
	for (;;) {
		int idx = -1;

		c = getopt_long(argc, argv, "ho:", lo, &idx);
		if (c == -1)
			break;
		if (c == 'h') {
			for (idx = 0; strcmp(global_opts[idx].name, "help") != 0; idx++)
				;	/* --help */
		} else if (c == 'o') {
			if (a->nopts >= CLI_MAX_OPTS)
				return cli_usage(a, "too many options");
			a->names[a->nopts] = "output";
			a->values[a->nopts++] = optarg;
			continue;
		} else if (c != 0 || idx < 0) {
			if (optopt && c == ':')
				return cli_usage(a, "option needs a value");
			return cli_usage(a, "unknown option or missing value in '%s'", argv[optind - 1]);
		}
		if (a->nopts >= CLI_MAX_OPTS)
			return cli_usage(a, "too many options");
		a->names[a->nopts] = lo[idx].name;
		a->values[a->nopts++] = lo[idx].has_arg ? optarg : NULL;
	}
	a->args = argv + optind;
	a->nargs = argc - optind;
	a->json = cli_flag(a, "json");
	return 0;
}

/* ---- numbers ------------------------------------------------------------------- */

bool cli_number(long long *out, const char *s, long long min, long long max)
{
	char *end = NULL;
	long long n;

	if (!s)
		return false;
	n = strtoll(s, &end, 10);
	if (*end || n < min || n > max)
		return false;
	*out = n;
	return true;
}

long long cli_id_arg(const cli_args *a)
{
	long long n;

	return cli_number(&n, a->args[0], 1, LLONG_MAX) ? n : 0;
}

long cli_doc_version(const char *arg, char *doc, size_t len)
{
	const char *at;
	long long n = 0;

	if (doc) {
		snprintf(doc, len, "%s", arg);
		arg = doc;
	}
	if ((at = strchr(arg, '@')) && !cli_number(&n, at + 1, 1, 1000000))
		return -1;
	if (doc && at)
		doc[at - doc] = '\0';
	return (long)n;
}

long cli_kdf_memory(const cli_args *a)
{
	long long mib = 0;

	if (!cli_opt(a, "kdf-memory"))
		return 0;
	return cli_number(&mib, cli_opt(a, "kdf-memory"), 1, 4096) ? (long)mib : -1;
}

/* ---- results ------------------------------------------------------------------- */

const char *cli_str(const scrvault_json *j, const char *key)
{
	return scrvault_json_str(scrvault_json_get(j, key));
}

long long cli_int(const scrvault_json *j, const char *key)
{
	return (long long)scrvault_json_int(scrvault_json_get(j, key));
}

int cli_result(const cli_args *a, scrvault_json *j, const char *fmt, ...)
{
	va_list ap;

	if (a->json) {
		cli_print_json(j);
	} else if (fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	scrvault_json_free(j);
	return 0;
}

int cli_key_passphrase(cli_args *a, const char *keyfile)
{
	int error;

	if (keyfile && (error = cli_passphrase(&a->secret, a, keyfile)) < 0)
		return cli_fail(error);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------------ */

/* Whether argv holds -h or --help. */
static bool asked_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

/*
 * No command word: -h or --help (the program's usage), --version, or the
 * usage as an error.
 */
static int no_command(const cli_program_def *p, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			p->usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("%s %s\n", cli_program, SCRVAULT_VERSION);
			return 0;
		}
	p->usage(stderr);
	return 2;
}

/*
 * A GROUP (and VERB) that names no command: a group's commands when the
 * group exists (on stdout when only -h asked for them), else the usage.
 */
static int unknown_command(const cli_program_def *p, const char *group, const char *name, int argc, char **argv)
{
	bool known = false;

	for (const cli_cmd *c = p->cmds; c->group; c++)
		known |= !strcmp(c->group, group);
	if (known) {
		bool asked = asked_help(argc, argv);
		FILE *f = name || !asked ? stderr : stdout;

		if (name)
			fprintf(stderr, "%s: unknown command '%s %s'\n", cli_program, group, name);
		fprintf(f, "%s commands:\n", group);
		for (const cli_cmd *c = p->cmds; c->group; c++)
			if (!strcmp(c->group, group))
				fprintf(f, "  %s\n", c->usage);
		return (asked && !name) ? 0 : 2;
	}
	fprintf(stderr, "%s: unknown command '%s'\n", cli_program, group);
	p->usage(stderr);
	return 2;
}

int cli_main(const cli_program_def *p, int argc, char **argv)
{
	const cli_cmd *cmd = NULL;
	const char *group, *name;
	char **rest;
	int words[2] = { -1, -1 }, nwords = 0, nrest = 0, error;
	cli_args a;

	cli_guard_terminal();
	/* The command words may follow options: find them. */
	for (int i = 1; i < argc && nwords < p->nwords; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (argv[i][0] == '-') {
			i += p->takes_value(argv[i]);
			continue;
		}
		words[nwords++] = i;
	}
	if (!nwords)
		return no_command(p, argc, argv);
	group = argv[words[0]];
	name = nwords > 1 ? argv[words[1]] : NULL;
	if (!strcmp(group, "help")) {
		p->usage(stdout);
		return 0;
	}
	for (const cli_cmd *c = p->cmds; c->group && !cmd; c++)
		if (!strcmp(c->group, group) && (!c->name || (name && !strcmp(c->name, name))))
			cmd = c;
	if (!cmd)
		return unknown_command(p, group, name, argc, argv);
	if (!cmd->name)
		words[1] = -1;	/* a command without a verb: the word is an argument */
	/* Usage and --version above need no set-up. */
	if (scrvault_global_init_ex(cmd->flags & CLI_BUNDLES_ONLY ? SCRVAULT_INIT_BUNDLES_ONLY : 0) < 0) {
		fprintf(stderr, "%s: %s\n", cli_program, scrvault_error_message());
		return 1;
	}
	/* argv without the command words; rest[0] stands in for the program. */
	if (!(rest = calloc((size_t)argc + 1, sizeof(*rest)))) {
		fprintf(stderr, "%s: out of memory\n", cli_program);
		return 1;
	}
	rest[nrest++] = argv[0];
	for (int i = 1; i < argc; i++)
		if (i != words[0] && i != words[1])
			rest[nrest++] = argv[i];
	memset(&a, 0, sizeof(a));
	a.cmd = cmd;
	if ((error = cli_parse(&a, nrest, rest, p->global_opts)) != 0)
		goto done;
	if (cli_flag(&a, "help")) {
		p->cmd_usage(stdout, cmd);
		error = 0;
		goto done;
	}
	if (a.nargs < cmd->min_args || (cmd->max_args >= 0 && a.nargs > cmd->max_args)) {
		error = cli_usage(&a, "wrong number of arguments");
		goto done;
	}
	/* Usage errors first: nothing is asked for or unlocked before them. */
	if ((cmd->need && !cli_opt(&a, cmd->need)) || ((cmd->flags & CLI_ID_ARG) && !cli_id_arg(&a))) {
		error = cli_usage(&a, "%s", cmd->need_msg);
		goto done;
	}
	if (cmd->check && (error = cmd->check(&a)) != 0)
		goto done;
	error = p->run ? p->run(&a) : cmd->run(&a, NULL);
done:
	scrvault_secret_free(a.secret);
	free(rest);
	return error;
}
