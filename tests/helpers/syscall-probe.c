/* syscall-probe NR...: makes each raw syscall (all arguments 0) and prints "NR ERRNO-NAME" or "NR ok", so
 * a test sees what a seccomp filter answers for numbers libc has no wrapper for.  Built static by the
 * tests to run inside a busybox root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static const char *errno_name(int e)
{
	switch (e) {
	case ENOSYS:
		return "ENOSYS";
	case EPERM:
		return "EPERM";
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case EBADF:
		return "EBADF";
	default:
		return strerror(e);
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		long nr = strtol(argv[i], NULL, 0);
		errno = 0;
		long r = syscall(nr, 0, 0, 0, 0, 0, 0);
		if (r < 0)
			printf("%ld %s\n", nr, errno_name(errno));
		else
			printf("%ld ok\n", nr);
	}
	return 0;
}
