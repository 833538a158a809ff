/* Fuzz target: YAML as a person (or anyone who can write the file) leaves it in a machine's settings file,
 * and later compose files.  The YAML loader and the settings reader must give a value or an error, never a
 * crash, a leak or an alias bomb; what the settings writer makes of accepted settings must read back the
 * same, and every string yaml_quote writes must read back as itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "machine/settings.h"
#include "util/yaml.h"

static void quote_round_trip(const char *text)
{
	char *quoted = yaml_quote(text);
	json_object *back = NULL;
	struct hull_error *err = NULL;

	if (quoted == NULL)
		return; /* not UTF-8: refused, not written */
	if (yaml_parse_text(quoted, strlen(quoted), "quoted", &back, &err) < 0 ||
	    !json_object_is_type(back, json_type_string) || strcmp(json_object_get_string(back), text) != 0)
		__builtin_trap();
	json_object_put(back);
	free(quoted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_error *err = NULL;
	json_object *doc = NULL;
	char *text = malloc(size + 1), path[4096], again[4096];
	const char *dir = getenv("HULL_FUZZ_TMPDIR") ? getenv("HULL_FUZZ_TMPDIR") : "/tmp";
	struct machine_settings s, back;
	bool found;
	FILE *f;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (yaml_parse_text(text, size, "fuzz", &doc, &err) == 0)
		json_object_put(doc);
	else
		fuzz_check_refusal(&err);
	if (strlen(text) == size && size < 512)
		quote_round_trip(text);

	snprintf(path, sizeof(path), "%s/settings-%d.yaml", dir, (int)getpid());
	snprintf(again, sizeof(again), "%s/settings-%d-again.yaml", dir, (int)getpid());
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(data, 1, size, f);
		fclose(f);
		if (machine_settings_load(path, &s, &found, &err) == 0) {
			/* Written and read again, the settings are the same settings. */
			char *one = machine_settings_fingerprint(&s), *two = NULL;
			if (machine_settings_save(again, "fuzz", &s, &err) < 0 ||
			    machine_settings_load(again, &back, &found, &err) < 0)
				__builtin_trap();
			two = machine_settings_fingerprint(&back);
			if (one == NULL || two == NULL || strcmp(one, two) != 0 || back.autostart != s.autostart ||
			    back.ephemeral != s.ephemeral)
				__builtin_trap();
			free(one);
			free(two);
			machine_settings_free(&back);
			machine_settings_free(&s);
		} else {
			fuzz_check_refusal(&err);
		}
		unlink(path);
		unlink(again);
	}
	free(text);
	return 0;
}
