// SPDX-License-Identifier: MIT
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAX_OPTIONS 8

int usage_error(const char *tool, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", tool);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see '%s --help'\n", tool);
	return 2;
}

/* TEXT, its lines after the first indented to COLUMN. */
static void print_indented(const char *text, int column)
{
	const char *nl;

	while ((nl = strchr(text, '\n'))) {
		printf("%.*s\n%*s", (int)(nl - text), text, column, "");
		text = nl + 1;
	}
	printf("%s\n", text);
}

static void print_help(const struct cli *cli)
{
	const struct cli_option *o;

	printf("usage: %s [OPTION]...%s%s\n  ", cli->tool, *cli->operands ? " " : "", cli->operands);
	print_indented(cli->about, 2);
	for (o = cli->options; o->name; o++) {
		char spec[40];

		snprintf(spec, sizeof(spec), "-%c, --%s %s", o->key, o->name, o->value ? o->value : "");
		printf("  %-22s ", spec);
		print_indented(o->help, 25);
	}
	printf("  %-22s %s\n", "-h, --help", "this text");
}

/* The option as typed: "--name" (argv holds it) or "-c" (may share a word with others). */
static const char *option_text(char **argv)
{
	static char text[3] = "-";

	if (!optopt || argv[optind - 1][1] == '-')
		return argv[optind - 1];
	text[1] = (char)optopt;
	return text;
}

int cli_next(const struct cli *cli, int argc, char **argv, const char **value)
{
	struct option longopts[MAX_OPTIONS + 2] = {};
	char shortopts[2 * MAX_OPTIONS + 3] = ":h", *s = shortopts + 2;
	const struct cli_option *o;
	int n = 0, key;

	for (o = cli->options; o->name && n < MAX_OPTIONS; o++, n++) {
		longopts[n] = (struct option){ o->name, o->value ? required_argument : no_argument, NULL, o->key };
		*s++ = (char)o->key;
		if (o->value)
			*s++ = ':';
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	opterr = 0;
	key = getopt_long(argc, argv, shortopts, longopts, NULL);
	*value = optarg;
	if (key == 'h') {
		print_help(cli);
		exit(0);
	}
	if (key == '?' || key == ':')
		exit(usage_error(cli->tool, key == ':' ? "option '%s' needs a value" : "unknown option '%s'",
				 option_text(argv)));
	if (key == -1 && cli->max_operands >= 0 && argc - optind > cli->max_operands)
		exit(usage_error(cli->tool, "unexpected argument '%s'", argv[optind + cli->max_operands]));
	return key == -1 ? 0 : key;
}
