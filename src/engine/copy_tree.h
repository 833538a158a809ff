/* A directory tree copied as it is (owners, modes, links as links, devices), for filling a new volume
 * with what the image has at its mount point.  Both sides are descriptors: the source is resolved inside
 * the container's root by the caller, and nothing below it is followed. */
#ifndef HULL_ENGINE_COPY_TREE_H
#define HULL_ENGINE_COPY_TREE_H

#include "util/error.h"

int copy_tree(int src_dir, int dst_dir, struct hull_error **err);

/* What src_fd is (a file or a directory, opened for reading) copied as dst_dir/name, replacing a file or
 * link of that name, merging into a directory of that name. */
int copy_entry(int src_fd, int dst_dir, const char *name, struct hull_error **err);

#endif
