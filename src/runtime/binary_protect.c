#include "runtime/binary_protect.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

int runtime_protect_binary(char **argv, struct hull_error **err)
{
	cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int copy = -1;
	struct statvfs vfs;
	struct stat st;
	int seals;

	if (self < 0)
		return hull_error_errno(err, "open /proc/self/exe");
	seals = fcntl(self, F_GET_SEALS);
	if (seals >= 0 && (seals & SEALS) == SEALS)
		return 0; /* already the sealed copy */
	if (fstatvfs(self, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return 0;
	if (fstat(self, &st) < 0)
		return hull_error_errno(err, "stat /proc/self/exe");
	copy = memfd_create("hull-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		return hull_error_errno(err, "protect the runtime binary: memfd_create");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
		if (n <= 0)
			return hull_error_set(err, n < 0 ? errno : EIO, "protect the runtime binary: copy");
		done += n;
	}
	if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
		return hull_error_errno(err, "protect the runtime binary: seal");
	fexecve(copy, argv, environ);
	return hull_error_errno(err, "protect the runtime binary: execute the sealed copy");
}
