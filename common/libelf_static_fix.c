// SPDX-License-Identifier: MIT
/*
 * Debian 13's static libelf (elfutils 0.192) calls two functions that its
 * libelf.a forgot to include (elfutils bug 32293, fixed in 0.193), so a
 * `-static` link fails with "undefined reference to eu_search_tree_init".
 * The Makefile links this file into the static tools only when libelf.a has
 * that hole. A search tree there starts with its root pointer; the lock after
 * it is unused in Debian's build, which is not thread-safe.
 */
#define _GNU_SOURCE	/* tdestroy */
#include <search.h>
#include <stddef.h>

void eu_search_tree_init(void **root);
void eu_search_tree_fini(void **root, void (*free_node)(void *));

void eu_search_tree_init(void **root)
{
	*root = NULL;
}

void eu_search_tree_fini(void **root, void (*free_node)(void *))
{
	tdestroy(*root, free_node);
}
