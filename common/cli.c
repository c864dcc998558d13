// SPDX-License-Identifier: MIT
#include <stdio.h>
#include "cli.h"

void usage_error(const char *prog, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see '%s --help'\n", prog);
}

void getopt_error(const char *prog, int opt, const char *arg)
{
	usage_error(prog, opt == ':' ? "option '%s' needs a value" : "unknown option '%s'", arg);
}
