/* Fuzz target: image archives handed to `hull load` (tar with index.json, manifest.json and blobs, or
 * anything else).  Each input is loaded into a fresh store under $HULL_FUZZ_TMPDIR; a refusal must carry
 * a one-line message, and whatever loads must be an image the store can read back. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/archive.h"
#include "image/local_image.h"
#include "util/fs.h"

static void loaded(void *arg, const char *name, const char *digest)
{
	struct store *s = arg;
	struct local_image img;
	struct hull_error *err = NULL;

	(void)name;
	if (local_image_load(s, digest, &img, &err) < 0)
		__builtin_trap();
	local_image_free(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tmp = getenv("HULL_FUZZ_TMPDIR");
	char dir[4096], input[4096];
	struct store *s = NULL;
	struct hull_error *err = NULL;
	FILE *f;
	int fd;

	snprintf(dir, sizeof(dir), "%s/load-store-%d", tmp ? tmp : "/tmp", (int)getpid());
	snprintf(input, sizeof(input), "%s/load-input-%d", tmp ? tmp : "/tmp", (int)getpid());
	f = fopen(input, "w");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	fd = open(input, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && store_open(dir, false, &s, &err) == 0) {
		if (image_load(s, fd, loaded, s, &err) < 0) {
			if (err && err->message && strpbrk(err->message, "\n\r"))
				__builtin_trap();
			fuzz_check_refusal(&err);
		}
		store_free(&s);
	}
	hull_error_free(&err);
	if (fd >= 0)
		close(fd);
	fs_remove_tree(AT_FDCWD, dir, NULL);
	unlink(input);
	return 0;
}
