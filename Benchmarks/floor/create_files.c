// What creating a site's page files costs, by how their paths are opened: 13,000 files of
// 8 KB, each in a folder of its own below one of four board folders, on the file system of
// FOLDER (default /dev/shm), one core. Variant 0 is what Bulletin did before: open the absolute
// path, and on ENOENT make the folder and open again; variant 2 is what it does now (mkdirat
// and openat relative to the staging folder, held open).
//
//   cc -O2 Benchmarks/floor/create_files.c -o /tmp/create_files && /tmp/create_files [FOLDER]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : "/dev/shm";
    const int n = 13000;
    static char page[8192];
    memset(page, 'x', sizeof page);
    const char *names[] = {"open, mkdir on ENOENT, open again (absolute paths)", "mkdir, then open (absolute paths)",
                           "mkdirat, then openat relative to the folder held open"};
    for (int variant = 0; variant < 3; variant++) {
        char root[512], command[600];
        snprintf(root, sizeof root, "%s/.bulletin-create-files-%d", base, (int)getpid());
        snprintf(command, sizeof command, "rm -rf '%s'", root);
        if (system(command) != 0) return 1;
        mkdir(root, 0755);
        for (int b = 0; b < 4; b++) {
            char board[600];
            snprintf(board, sizeof board, "%s/board%d", root, b);
            mkdir(board, 0755);
        }
        int rootfd = open(root, O_RDONLY | O_DIRECTORY);
        double t0 = now_ms();
        for (int i = 0; i < n; i++) {
            char file[700], folder[700];
            int fd = -1, b = i % 4;
            if (variant == 0) {
                snprintf(file, sizeof file, "%s/board%d/%d/index.html", root, b, i);
                fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd < 0 && errno == ENOENT) {
                    snprintf(folder, sizeof folder, "%s/board%d/%d", root, b, i);
                    mkdir(folder, 0755);
                    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                }
            } else if (variant == 1) {
                snprintf(folder, sizeof folder, "%s/board%d/%d", root, b, i);
                mkdir(folder, 0755);
                snprintf(file, sizeof file, "%s/index.html", folder);
                fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            } else {
                snprintf(folder, sizeof folder, "board%d/%d", b, i);
                mkdirat(rootfd, folder, 0755);
                snprintf(file, sizeof file, "%s/index.html", folder);
                fd = openat(rootfd, file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            }
            if (fd < 0) { perror("open"); return 1; }
            if (write(fd, page, sizeof page) != sizeof page) { perror("write"); return 1; }
            struct stat st;
            fstat(fd, &st);
            close(fd);
        }
        printf("%-55s %6.1f ms\n", names[variant], now_ms() - t0);
        close(rootfd);
        if (system(command) != 0) return 1;
    }
    return 0;
}
