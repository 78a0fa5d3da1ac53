// mimalloc (Debian's libmimalloc-dev), linked into both executables ahead of the C library,
// so that every malloc and free of the process (Swift's runtime and objects, cmark, libyaml) go
// to it: a cold build of 10,000 posts took 10 % less time than with glibc's allocator (README,
// "Dependencies and why"). Debian ships no pkg-config file for it.
#include <mimalloc.h>
