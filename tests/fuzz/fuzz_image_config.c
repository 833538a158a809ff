/* Fuzz target: an image's config document as a registry hands it to hull, converted into a runtime
 * config against an image root with a passwd and a group file.  A refusal carries a message. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "image/runtime_config.h"

static int root_fd = -1;

static void make_root(void)
{
	char dir[64], path[96];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/hull-fuzz-image-XXXXXX",
		 getenv("HULL_FUZZ_TMPDIR") ? getenv("HULL_FUZZ_TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/etc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("root:x:0:0::/:/bin/sh\nu:x:5:6::/:\n::::\nbad\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/etc/group", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("g:x:6:u,root\nh:x:7:\n:::\n", f);
		fclose(f);
	}
	root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *image, *spec;
	struct hull_error *err = NULL;

	if (root_fd < 0)
		make_root();
	image = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (image == NULL)
		return 0;
	spec = json_tokener_parse("{\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}");
	if (image_config_apply(image, root_fd, spec, &err) < 0) {
		fuzz_check_refusal(&err);
	} else {
		(void)json_object_to_json_string(spec);
	}
	json_object_put(spec);
	json_object_put(image);
	return 0;
}
