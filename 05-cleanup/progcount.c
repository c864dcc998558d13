// SPDX-License-Identifier: MIT
/*
 * progcount: count the BPF programs the kernel holds, by walking their ids.
 *
 *   progcount               total
 *   progcount --name NAME   how many are called NAME
 *   progcount --list        one line per program: id, type, name
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"

static const char tool[] = "progcount";

static const struct cli_option options[] = {
	{ 'n', "name", "NAME", "count only the programs called NAME" },
	{ 'l', "list", NULL, "print id, type and name of each program" },
	{},
};

static const struct cli cli = { tool, "",
	"count the BPF programs loaded in the kernel (needs root)", options, 0 };

/*
 * Fill INFO for program ID. Returns 1 when the program went away between
 * seeing its id and opening it (it is skipped, not an error), 0 on success,
 * -errno on failure.
 */
static int prog_info(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd, err = 0;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		err = -errno;
	close(fd);
	return err;
}

static void print_prog(const struct bpf_prog_info *info)
{
	const char *type = libbpf_bpf_prog_type_str(info->type);

	printf("%u %s %s\n", info->id, type ? type : "unknown", info->name);
}

int main(int argc, char **argv)
{
	const char *name = NULL, *value;
	bool list = false;
	unsigned int count = 0;
	__u32 id = 0;
	int key, err;

	while ((key = cli_next(&cli, argc, argv, &value))) {
		if (key == 'n')
			name = value;
		else
			list = true;
	}

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;

		err = prog_info(id, &info);
		if (err == 1)
			continue;
		if (err) {
			fprintf(stderr, "%s: program id %u: %s\n", tool, id, strerror(-err));
			return 1;
		}
		if (name && strcmp(info.name, name) != 0)
			continue;
		if (list)
			print_prog(&info);
		count++;
	}
	if (errno != ENOENT) {
		if (errno == EPERM)
			fprintf(stderr, "%s: needs root or CAP_BPF+CAP_PERFMON to list programs: run it with sudo\n", tool);
		else
			fprintf(stderr, "%s: bpf_prog_get_next_id: %s\n", tool, strerror(errno));
		return 1;
	}
	if (!list)
		printf("%u\n", count);
	return 0;
}
