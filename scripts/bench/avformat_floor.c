// `make bench`'s floor for probing: libavformat alone, with nothing around it. Each of two
// threads (the machine's cores) opens its share of the files given on the command line with
// avformat_open_input and avformat_find_stream_info, then closes them. No output, no JSON, no
// checks: the least any in-process probe built on libavformat can spend on these files.
//
//     cc -O2 avformat_floor.c $(pkg-config --cflags --libs libavformat libavutil) -lpthread
//     ./avformat_floor [--open-only] FILE...
#include <libavformat/avformat.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char **files;
static int count;
static int open_only;
static int failures[2];

static void quiet(void *context, int level, const char *format, va_list arguments) {
    (void)context; (void)level; (void)format; (void)arguments;
}

static void *worker(void *argument) {
    int index = (int)(long)argument;
    for (int i = index; i < count; i += 2) {
        AVFormatContext *context = NULL;
        if (avformat_open_input(&context, files[i], NULL, NULL) < 0) { failures[index]++; continue; }
        if (!open_only && avformat_find_stream_info(context, NULL) < 0) failures[index]++;
        avformat_close_input(&context);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--open-only") == 0) { open_only = 1; first = 2; }
    files = argv + first;
    count = argc - first;
    av_log_set_callback(quiet);
    // As efterhand does: keep freed sample tables in the process rather than unmapping them.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    pthread_t threads[2];
    for (long t = 0; t < 2; t++) pthread_create(&threads[t], NULL, worker, (void *)t);
    for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);
    if (failures[0] + failures[1]) fprintf(stderr, "%d files failed\n", failures[0] + failures[1]);
    return 0;
}
