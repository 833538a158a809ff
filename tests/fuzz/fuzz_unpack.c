/* Fuzz target: image layers as a registry hands them to hull.  Each input is unpacked into a fresh
 * directory with small limits; a refusal carries a message, and nothing may appear next to the root. */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/unpack.h"
#include "util/fs.h"

static char base[64];

/* Only "root" may exist in the base directory after an unpack. */
static void check_base(void)
{
	DIR *d = opendir(base);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strcmp(e->d_name, "root") != 0)
			__builtin_trap();
	if (d)
		closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unpack_options limits = {.max_bytes = 1 << 20, .max_entries = 1000};
	struct hull_error *err = NULL;
	char root[96];
	int fd, root_fd;

	if (base[0] == '\0') {
		/* tests/fuzz/run points this at a directory it removes afterwards. */
		const char *tmp = getenv("HULL_FUZZ_TMPDIR");
		snprintf(base, sizeof(base), "%s/hull-fuzz-unpack-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
		if (mkdtemp(base) == NULL)
			abort();
	}
	snprintf(root, sizeof(root), "%s/root", base);
	if (mkdir(root, 0755) < 0)
		abort();
	fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (image_unpack_layer(root_fd, fd, &limits, &err) < 0) {
		fuzz_check_refusal(&err);
	}
	close(root_fd);
	close(fd);
	check_base();
	fs_remove_tree(AT_FDCWD, root, NULL);
	return 0;
}
