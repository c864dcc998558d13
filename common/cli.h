/* SPDX-License-Identifier: MIT */
#ifndef CLI_H
#define CLI_H

/*
 * One line on stderr for a command-line mistake: "PROG: <FMT with ARG>; see
 * 'PROG --help'". FMT takes at most one %s; ARG may be NULL when it has none.
 */
void usage_error(const char *prog, const char *fmt, const char *arg);

/*
 * The same for what getopt_long returned, run with opterr = 0 and an
 * optstring that starts with ':' (so a missing value comes back as ':').
 */
void getopt_error(const char *prog, int opt, const char *arg);

#endif
