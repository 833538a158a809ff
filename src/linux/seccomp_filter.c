#include "linux/seccomp_filter.h"

#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

struct seccomp_filter {
	scmp_filter_ctx ctx; /* only while building */
	json_object *doc;    /* keeps the strings below alive */
	const char *listener_path;
	const char *listener_metadata;
	bool notify;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	struct sock_filter *bpf;
	size_t n_bpf;
	int max_nr; /* the highest native syscall number the profile names, -1 for none */
};

static const struct {
	const char *name;
	uint32_t action; /* ERRNO and TRACE get their value from errnoRet */
} actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* Resolves an action name; errno_ret (config's errnoRet, or EPERM) completes ERRNO and TRACE. */
static int parse_action(const char *name, const char *where, bool has_errno, uint32_t errno_ret,
			uint32_t *out, struct hull_error **err)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(name, actions[i].name) != 0)
			continue;
		if (actions[i].action == SCMP_ACT_ERRNO(0))
			*out = SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
		else if (actions[i].action == SCMP_ACT_TRACE(0))
			*out = SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
		else
			*out = actions[i].action;
		return 0;
	}
	return hull_error_invalid(err, "%s: unknown seccomp action `%s`", where, name);
}

static int add_architectures(struct seccomp_filter *f, json_object *seccomp, struct hull_error **err)
{
	const char **arches = NULL;
	size_t n = 0;
	int ret = json_field_strv(seccomp, "linux.seccomp", "architectures", &arches, &n, err);

	for (size_t i = 0; ret == 0 && i < n; i++) {
		char lower[32];
		const char *name = arches[i];
		size_t k;
		uint32_t arch;
		if (strncmp(name, "SCMP_ARCH_", 10) == 0)
			name += 10;
		if (strcmp(name, "NATIVE") == 0)
			continue;
		for (k = 0; name[k] && k < sizeof(lower) - 1; k++)
			lower[k] = (char)tolower((unsigned char)name[k]);
		lower[k] = '\0';
		arch = seccomp_arch_resolve_name(lower);
		if (arch == 0) {
			ret = hull_error_invalid(
			    err, "linux.seccomp.architectures[%zu]: unknown architecture `%s`", i, arches[i]);
			break;
		}
		int r = seccomp_arch_add(f->ctx, arch);
		if (r < 0 && r != -EEXIST)
			ret = hull_error_set(err, -r, "linux.seccomp.architectures[%zu]: add `%s`", i,
					     arches[i]);
	}
	free(arches);
	return ret;
}

/* The flags are the kernel's own, passed to seccomp(2) at load: libseccomp does not load the filter. */
static int set_flags(struct seccomp_filter *f, json_object *seccomp, struct hull_error **err)
{
	static const struct {
		const char *name;
		unsigned flag;
	} known[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	};
	const char **flags = NULL;
	size_t n = 0;
	int ret = json_field_strv(seccomp, "linux.seccomp", "flags", &flags, &n, err);

	for (size_t i = 0; ret == 0 && i < n; i++) {
		size_t k = 0;
		while (k < sizeof(known) / sizeof(known[0]) && strcmp(flags[i], known[k].name) != 0)
			k++;
		if (k < sizeof(known) / sizeof(known[0]))
			f->flags |= known[k].flag;
		else if (strcmp(flags[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			ret = hull_error_fail(
			    err, ENOTSUP,
			    "linux.seccomp.flags[%zu]: %s needs libseccomp 2.6 (this build has %d.%d)", i,
			    flags[i], SCMP_VER_MAJOR, SCMP_VER_MINOR);
		else
			ret = hull_error_invalid(err, "linux.seccomp.flags[%zu]: unknown flag `%s`", i,
						 flags[i]);
	}
	free(flags);
	return ret;
}

static int parse_args(json_object *args, const char *where, struct scmp_arg_cmp *out, size_t *n,
		      struct hull_error **err)
{
	*n = args ? json_object_array_length(args) : 0;
	if (*n > 6)
		return hull_error_invalid(err, "%s.args: at most 6 arguments can be compared", where);
	for (size_t i = 0; i < *n; i++) {
		json_object *a = json_object_array_get_idx(args, i);
		char at[160];
		uint64_t index = 0, value = 0, value_two = 0;
		const char *op = NULL;
		size_t k;
		int ret;

		snprintf(at, sizeof(at), "%s.args[%zu]", where, i);
		if (!json_object_is_type(a, json_type_object))
			return hull_error_invalid(err, "%s: expected an object", at);
		if ((ret = json_field_uint64(a, at, "index", &index, err)) < 0 ||
		    (ret = json_field_uint64(a, at, "value", &value, err)) < 0 ||
		    (ret = json_field_uint64(a, at, "valueTwo", &value_two, err)) < 0 ||
		    (ret = json_field_string(a, at, "op", &op, err)) < 0)
			return ret;
		if (index > 5)
			return hull_error_invalid(err, "%s.index: %llu is not a syscall argument (0-5)", at,
						  (unsigned long long)index);
		if (op == NULL)
			return hull_error_invalid(err, "%s.op: missing", at);
		for (k = 0; k < sizeof(operators) / sizeof(operators[0]); k++)
			if (strcmp(op, operators[k].name) == 0)
				break;
		if (k == sizeof(operators) / sizeof(operators[0]))
			return hull_error_invalid(err, "%s.op: unknown operator `%s`", at, op);
		out[i] = (struct scmp_arg_cmp){
		    .arg = (unsigned)index, .op = operators[k].op, .datum_a = value, .datum_b = value_two};
	}
	return 0;
}

/* As runc: comparisons of different arguments must all hold (one rule); several comparisons of the same
 * argument are alternatives (one rule each), which is how profiles allow a list of values. */
static int add_rule(struct seccomp_filter *f, uint32_t action, int nr, const struct scmp_arg_cmp *args,
		    size_t n, const char *where, const char *name, struct hull_error **err)
{
	bool same_index = false;
	int r;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			same_index |= args[i].arg == args[j].arg;
	if (!same_index) {
		r = seccomp_rule_add_array(f->ctx, action, nr, (unsigned)n, args);
		if (r < 0)
			return hull_error_set(err, -r, "%s: add the rule for `%s`", where, name);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		r = seccomp_rule_add_array(f->ctx, action, nr, 1, &args[i]);
		if (r < 0)
			return hull_error_set(err, -r, "%s: add the rule for `%s`", where, name);
	}
	return 0;
}

/* Syscalls a rule names with the default action still count as known to the profile. */
static void note_known(struct seccomp_filter *f, const char **names, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int nr = seccomp_syscall_resolve_name(names[k]);
		if (nr != __NR_SCMP_ERROR && nr > f->max_nr)
			f->max_nr = nr;
	}
}

static int add_syscalls(struct seccomp_filter *f, json_object *seccomp, uint32_t default_action,
			struct hull_error **err)
{
	json_object *list = NULL;
	int ret = json_field_array(seccomp, "linux.seccomp", "syscalls", &list, err);

	for (size_t i = 0; ret == 0 && list && i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i), *args = NULL;
		const char **names = NULL, *action_name = NULL;
		size_t n_names = 0, n_args = 0;
		uint32_t errno_ret = 0, action = 0;
		struct scmp_arg_cmp cmp[6];
		char where[64];

		snprintf(where, sizeof(where), "linux.seccomp.syscalls[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return hull_error_invalid(err, "%s: expected an object", where);
		if ((ret = json_field_strv(e, where, "names", &names, &n_names, err)) < 0 ||
		    (ret = json_field_string(e, where, "action", &action_name, err)) < 0 ||
		    (ret = json_field_uint32(e, where, "errnoRet", &errno_ret, err)) < 0 ||
		    (ret = json_field_array(e, where, "args", &args, err)) < 0) {
			free(names);
			return ret;
		}
		if (action_name == NULL || n_names == 0)
			ret = hull_error_invalid(err, "%s: needs names and action", where);
		if (ret == 0)
			ret = parse_action(action_name, where, json_object_object_get_ex(e, "errnoRet", NULL),
					   errno_ret, &action, err);
		if (ret == 0)
			ret = parse_args(args, where, cmp, &n_args, err);
		if (ret == 0 && action == SCMP_ACT_NOTIFY)
			f->notify = true;
		if (ret == 0 && action == default_action)
			note_known(f, names, n_names);
		/* libseccomp refuses a rule that repeats the default action; it would change nothing. */
		for (size_t k = 0; ret == 0 && action != default_action && k < n_names; k++) {
			int nr = seccomp_syscall_resolve_name(names[k]);
			if (nr == __NR_SCMP_ERROR) {
				/* Profiles list syscalls of newer kernels and other architectures. */
				hull_log_debug("%s: syscall `%s` unknown to libseccomp, skipped", where,
					       names[k]);
				continue;
			}
			if (nr > f->max_nr)
				f->max_nr = nr;
			ret = add_rule(f, action, nr, cmp, n_args, where, names[k], err);
		}
		free(names);
	}
	return ret;
}

/* A profile is written against the syscalls of its day.  Under a default action that denies, a syscall it
 * cannot know of (a number above the highest it names, or one the syscall table leaves unassigned) would
 * fail with the default EPERM, and libc takes EPERM as a verdict: glibc falls back from clone3 to clone,
 * from statx or faccessat2 to older calls, only on ENOSYS.  So, as runc does, such numbers answer ENOSYS,
 * which is what a kernel without the syscall says.  Syscalls the profile could have named keep its
 * default action; an allowing default needs nothing. */
static bool enosys_wanted(uint32_t default_action)
{
	return default_action != SCMP_ACT_ALLOW && default_action != SCMP_ACT_LOG &&
	       default_action != SCMP_ACT_NOTIFY;
}

/* The numbers up to max_nr that libseccomp knows no native syscall for, as ranges [lo, hi]. */
static size_t unassigned_ranges(int max_nr, uint32_t (*ranges)[2], size_t cap)
{
	size_t n = 0;

	for (int nr = 0; nr <= max_nr && n < cap; nr++) {
		cleanup_free char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name != NULL)
			continue;
		if (n && ranges[n - 1][1] == (uint32_t)nr - 1)
			ranges[n - 1][1] = (uint32_t)nr;
		else {
			ranges[n][0] = ranges[n][1] = (uint32_t)nr;
			n++;
		}
	}
	return n;
}

/* Prepends to the compiled program: for the native architecture (x32's numbers excepted, they are
 * another ABI), a number above max_nr or in an unassigned range returns ENOSYS; anything else goes on to
 * libseccomp's program, which checks the architecture again itself.  Layout, n ranges:
 *   0 ld arch; 1 jeq native ? 2 : REST; 2 ld nr; 3 jge x32 bit ? REST : 4; 4 jgt max ? ENOSYS : 5;
 *   per range: jge lo ? next : after; jgt hi ? after : ENOSYS;  then ja REST; ENOSYS: ret; REST. */
static int prepend_enosys(struct seccomp_filter *f, struct hull_error **err)
{
	uint32_t ranges[64][2];
	size_t n_ranges, n_pre, at = 0, enosys, rest;
	struct sock_filter *prog;

	if (f->max_nr < 0)
		return 0;
	n_ranges = unassigned_ranges(f->max_nr, ranges, 64);
	n_pre = 7 + 2 * n_ranges;
	enosys = n_pre - 1;
	rest = n_pre;
	if (f->n_bpf + n_pre > 0xffff)
		return hull_error_fail(err, EINVAL, "linux.seccomp: the compiled filter is too large");
	prog = malloc((f->n_bpf + n_pre) * sizeof(*prog));
	if (prog == NULL)
		return hull_error_set(err, ENOMEM, "seccomp");
		/* A jump's offsets count from the instruction after it. */
#define OFFSET(to) ((uint8_t)((to)-at - 1))
	prog[at] =
	    (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	at++;
	prog[at] =
	    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0, OFFSET(rest));
	at++;
	prog[at] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	at++;
	prog[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, OFFSET(rest), 0);
	at++;
	prog[at] =
	    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)f->max_nr, OFFSET(enosys), 0);
	at++;
	for (size_t i = 0; i < n_ranges; i++) {
		prog[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges[i][0], 0, 1);
		at++;
		prog[at] =
		    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, ranges[i][1], 0, OFFSET(enosys));
		at++;
	}
	prog[at] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 1);
	at++;
	prog[at] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	at++;
#undef OFFSET
	memcpy(prog + at, f->bpf, f->n_bpf * sizeof(*prog));
	free(f->bpf);
	f->bpf = prog;
	f->n_bpf += at;
	return 0;
}

/* Validates the profile and compiles it with libseccomp into f->bpf. */
static int compile(json_object *seccomp, struct seccomp_filter *f, struct hull_error **err)
{
	const char *default_name = NULL;
	uint32_t default_errno = 0, default_action = 0;
	cleanup_close int fd = -1;
	struct stat st;
	int ret;

	if ((ret = json_field_string(seccomp, "linux.seccomp", "defaultAction", &default_name, err)) < 0 ||
	    (ret = json_field_uint32(seccomp, "linux.seccomp", "defaultErrnoRet", &default_errno, err)) < 0)
		return ret;
	if (default_name == NULL)
		return hull_error_invalid(err, "linux.seccomp.defaultAction: missing");
	if ((ret = parse_action(default_name, "linux.seccomp.defaultAction",
				json_object_object_get_ex(seccomp, "defaultErrnoRet", NULL), default_errno,
				&default_action, err)) < 0)
		return ret;
	f->max_nr = -1;
	f->ctx = seccomp_init(default_action);
	if (f->ctx == NULL)
		return hull_error_fail(err, EINVAL, "linux.seccomp: libseccomp refused the default action");
	if ((ret = add_architectures(f, seccomp, err)) < 0 || (ret = set_flags(f, seccomp, err)) < 0 ||
	    (ret = add_syscalls(f, seccomp, default_action, err)) < 0)
		return ret;
	if (default_action == SCMP_ACT_NOTIFY)
		f->notify = true;
	/* The program itself, to be loaded with seccomp(2): libseccomp is not needed at load time, and the
	 * program can be cached. */
	fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return hull_error_errno(err, "seccomp: memfd_create");
	if ((ret = seccomp_export_bpf(f->ctx, fd)) < 0)
		return hull_error_set(err, -ret, "linux.seccomp: export the filter");
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size > 0xffff * (off_t)sizeof(struct sock_filter))
		return hull_error_fail(err, EINVAL, "linux.seccomp: the compiled filter is too large");
	f->bpf = malloc((size_t)st.st_size);
	if (f->bpf == NULL)
		return hull_error_set(err, ENOMEM, "seccomp");
	if (pread(fd, f->bpf, (size_t)st.st_size, 0) != st.st_size)
		return hull_error_errno(err, "seccomp: read the compiled filter");
	f->n_bpf = (size_t)st.st_size / sizeof(struct sock_filter);
	seccomp_release(f->ctx);
	f->ctx = NULL;
	if (enosys_wanted(default_action))
		return prepend_enosys(f, err);
	return 0;
}

/* The compile cache: one file per profile, named by a hash of its text and holding the whole text, so
 * that a hit is an exact match and never trusts the hash.  Compiling a Docker-sized profile with
 * libseccomp takes about 20 ms here; reading the file, well under one. */
#define CACHE_MAGIC "hull-seccomp-2\n"

struct cache_header {
	char magic[16];
	uint32_t flags;
	uint32_t notify;
	uint32_t text_len;
	uint32_t n_bpf;
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The cache directory, made on first use; one that is not ours alone is not used. */
static int cache_dir_open(const char *dir)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool cache_load(int dir_fd, const char *name, const char *text, size_t len, struct seccomp_filter *f)
{
	cleanup_free char *data = NULL;
	struct cache_header h;
	size_t size = 0;

	if (fs_read_file(dir_fd, name, &data, &size, NULL) < 0 || size < sizeof(h))
		return false;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0 || h.text_len != len || h.n_bpf == 0 ||
	    size != sizeof(h) + len + (size_t)h.n_bpf * sizeof(struct sock_filter) ||
	    memcmp(data + sizeof(h), text, len) != 0)
		return false;
	f->bpf = malloc((size_t)h.n_bpf * sizeof(struct sock_filter));
	if (f->bpf == NULL)
		return false;
	memcpy(f->bpf, data + sizeof(h) + len, (size_t)h.n_bpf * sizeof(struct sock_filter));
	f->n_bpf = h.n_bpf;
	f->flags = h.flags;
	f->notify = h.notify != 0;
	return true;
}

static void cache_store(int dir_fd, const char *name, const char *text, size_t len,
			const struct seccomp_filter *f)
{
	struct cache_header h = {
	    .flags = f->flags, .notify = f->notify, .text_len = (uint32_t)len, .n_bpf = (uint32_t)f->n_bpf};
	size_t size = sizeof(h) + len + f->n_bpf * sizeof(struct sock_filter);
	cleanup_free char *data = malloc(size);

	if (data == NULL)
		return;
	memcpy(h.magic, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1);
	memcpy(data, &h, sizeof(h));
	memcpy(data + sizeof(h), text, len);
	memcpy(data + sizeof(h) + len, f->bpf, f->n_bpf * sizeof(struct sock_filter));
	if (fs_write_file_atomic(dir_fd, name, data, size, 0600, NULL) < 0)
		hull_log_debug("seccomp: the compiled filter was not cached");
}

int seccomp_filter_build(json_object *seccomp, const char *cache_dir, struct seccomp_filter **out,
			 struct hull_error **err)
{
	struct seccomp_filter *f;
	cleanup_close int dir_fd = -1;
	const char *text = NULL;
	size_t len = 0;
	char name[32] = "";
	int ret;

	*out = NULL;
	if (seccomp == NULL)
		return 0;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return hull_error_set(err, ENOMEM, "seccomp");
	f->doc = json_object_get(seccomp);
	if ((ret = json_field_string(seccomp, "linux.seccomp", "listenerPath", &f->listener_path, err)) < 0 ||
	    (ret = json_field_string(seccomp, "linux.seccomp", "listenerMetadata", &f->listener_metadata,
				     err)) < 0) {
		seccomp_filter_free(f);
		return ret;
	}
	if (cache_dir) {
		text = json_object_to_json_string_ext(seccomp, JSON_C_TO_STRING_PLAIN);
		len = strlen(text);
		snprintf(name, sizeof(name), "%016llx", (unsigned long long)fnv1a(text, len));
		dir_fd = cache_dir_open(cache_dir);
	}
	if (dir_fd < 0 || !cache_load(dir_fd, name, text, len, f)) {
		if ((ret = compile(seccomp, f, err)) < 0) {
			seccomp_filter_free(f);
			return ret;
		}
		if (dir_fd >= 0)
			cache_store(dir_fd, name, text, len, f);
	}
	if (f->notify && (f->listener_path == NULL || *f->listener_path != '/')) {
		seccomp_filter_free(f);
		return hull_error_invalid(
		    err, "linux.seccomp.listenerPath: SCMP_ACT_NOTIFY needs an absolute listenerPath");
	}
	/* No rule notifies, so there is no listener to hand over: the container runs as runc runs it, and the
	 * agent at listenerPath is never connected to (it would otherwise wait for a descriptor forever). */
	if (!f->notify && f->listener_path && *f->listener_path)
		hull_log_warning("linux.seccomp.listenerPath `%s` not used: no rule has SCMP_ACT_NOTIFY",
				 f->listener_path);
	if (!f->notify)
		f->listener_path = NULL;
	*out = f;
	return 0;
}

const char *seccomp_filter_listener_path(const struct seccomp_filter *f)
{
	return f ? f->listener_path : NULL;
}

const char *seccomp_filter_listener_metadata(const struct seccomp_filter *f)
{
	return f && f->listener_metadata ? f->listener_metadata : "";
}

int seccomp_filter_load(struct seccomp_filter *f, int *notify_fd, struct hull_error **err)
{
	struct sock_fprog prog = {.len = (unsigned short)f->n_bpf, .filter = f->bpf};
	unsigned flags = f->flags | (f->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);

	if (r < 0)
		return hull_error_errno(err, "load the seccomp filter");
	if (f->notify)
		*notify_fd = (int)r;
	return 0;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
	if (f == NULL)
		return;
	if (f->ctx)
		seccomp_release(f->ctx);
	free(f->bpf);
	json_object_put(f->doc);
	free(f);
}
