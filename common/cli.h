/* SPDX-License-Identifier: MIT */
#ifndef CLI_H
#define CLI_H

#include <unistd.h>	/* optind */

/* One option: -KEY and --NAME, with a value when VALUE names it. */
struct cli_option {
	int key;
	const char *name;
	const char *value;	/* "PATH" in the help; NULL for a flag */
	const char *help;	/* may span lines */
};

/* What a tool takes on its command line, and says about itself in --help. */
struct cli {
	const char *tool;
	const char *operands;	/* after the options in the usage line: "OBJ", "" */
	const char *about;	/* what the tool does; may span lines */
	const struct cli_option *options;	/* ends with {} */
	int max_operands;	/* more is a usage error; -1: any number */
};

/*
 * The next option on the command line: its key, with *VALUE set when it takes
 * one; 0 when none is left (the operands are then argv[optind..]). Prints the
 * help and exits 0 for --help; exits 2 after one line on stderr for an unknown
 * option, a missing value or too many operands.
 */
int cli_next(const struct cli *cli, int argc, char **argv, const char **value);

/*
 * One line on stderr for a command-line mistake, "TOOL: <FMT with ARG>; see
 * 'TOOL --help'", and 2, the exit code for it. FMT takes at most one %s.
 */
int usage_error(const char *tool, const char *fmt, const char *arg);

#endif
