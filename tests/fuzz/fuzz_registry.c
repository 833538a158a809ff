/* Fuzz target: what a registry or a credentials file hands hull before anything is verified: the
 * WWW-Authenticate challenge, the error body of a failed request, and the auth file.  The input is split
 * at its first two NUL bytes into the three. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/auth_file.h"
#include "image/registry_internal.h"

static const char *next_part(const char **p, const char *end)
{
	const char *start = *p, *nul = memchr(start, '\0', (size_t)(end - start));

	*p = nul ? nul + 1 : end;
	return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), path[4096];
	const char *p = copy, *end, *challenge, *body, *auth;
	struct challenge c = {0};
	struct hull_error *err = NULL;
	char *user = NULL, *password = NULL, *phrase;
	const char *tmp = getenv("HULL_FUZZ_TMPDIR");
	FILE *f;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	end = copy + size;
	challenge = next_part(&p, end);
	body = next_part(&p, end);
	auth = p < end ? p : "";
	if (registry_challenge_parse(challenge, &c) == 0 && c.scheme == NULL)
		__builtin_trap();
	registry_challenge_free(&c);
	phrase = registry_error_phrase(body, strlen(body));
	if (phrase && strpbrk(phrase, "\n\r"))
		__builtin_trap();
	free(phrase);
	snprintf(path, sizeof(path), "%s/auth-%d.json", tmp ? tmp : "/tmp", (int)getpid());
	f = fopen(path, "w");
	if (f) {
		fwrite(auth, 1, strlen(auth), f);
		fclose(f);
		if (auth_file_lookup(path, "example.com", &user, &password, &err) < 0) {
			if (err && err->message && strpbrk(err->message, "\n\r"))
				__builtin_trap();
			fuzz_check_refusal(&err);
		} else if ((user == NULL) != (password == NULL))
			__builtin_trap();
		free(user);
		free(password);
		remove(path);
	}
	free(copy);
	return 0;
}
