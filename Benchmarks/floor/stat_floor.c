// The floor of a no-change rebuild on this machine: what walking Content/ with one stat per
// file, and one stat per file the last build published, cost in C, on one core.
//
//   cc -O2 Benchmarks/floor/stat_floor.c -o /tmp/stat_floor
//   /tmp/stat_floor SNAPSHOT/Content OUTPUT-MANIFEST OUTPUT
//   (e.g. /tmp/bulletin-vs-hugo/10000/Content /dev/shm/.bulletin-10000.bulletin-manifest /dev/shm/bulletin-10000)
#define _GNU_SOURCE
#include <dirent.h>
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

static long files = 0;

static void walk(int fd) {
    DIR *d = fdopendir(fd);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        struct stat st;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) continue;
        if (S_ISDIR(st.st_mode)) {
            int child = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY);
            if (child >= 0) walk(child);
        } else {
            files++;
        }
    }
    closedir(d);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s CONTENT MANIFEST OUTPUT\n", argv[0]);
        return 2;
    }
    double t0 = now_ms();
    int content = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (content < 0) { perror(argv[1]); return 1; }
    walk(content);
    double t1 = now_ms();

    // The published files: the second field of the manifest's "out" lines.
    FILE *manifest = fopen(argv[2], "r");
    if (!manifest) { perror(argv[2]); return 1; }
    size_t capacity = 1024, count = 0;
    char **paths = malloc(capacity * sizeof *paths);
    char line[65536];
    while (fgets(line, sizeof line, manifest)) {
        if (strncmp(line, "out\t", 4) != 0) continue;
        char *tab = strchr(line + 4, '\t');
        if (!tab) continue;
        *tab = 0;
        if (count == capacity) paths = realloc(paths, (capacity *= 2) * sizeof *paths);
        paths[count++] = strdup(line + 4);
    }
    fclose(manifest);
    int output = open(argv[3], O_RDONLY | O_DIRECTORY);
    if (output < 0) { perror(argv[3]); return 1; }
    double t2 = now_ms();
    long missing = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (fstatat(output, paths[i], &st, 0)) missing++;
    }
    double t3 = now_ms();
    printf("walked %ld files of Content/ in %.1f ms; stat'd %zu published files in %.1f ms (%ld missing)\n", files, t1 - t0, count,
           t3 - t2, missing);
    return 0;
}
