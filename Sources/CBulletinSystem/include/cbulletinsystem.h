#ifndef BULLETIN_CBULLETINSYSTEM_H
#define BULLETIN_CBULLETINSYSTEM_H

/// Swaps two paths in one atomic step (Linux renameat2 with RENAME_EXCHANGE).
/// Returns 0, or -1 with errno set (EINVAL or ENOSYS where the file system cannot).
int bulletin_exchange_paths(const char *first, const char *second);

#endif
