// `make bench-serve`'s floor for search: SQLite's FTS5 alone, with nothing around it. Each of
// THREADS threads opens its own read-only connection to the index file, registers the same
// ranking function as efterhand (Sources/CSearchRank/rank.c), and for SECONDS asks queries drawn
// at random from PATTERNS (one FTS5 MATCH expression per line, as `efterhand search` makes them
// from the committed query list): the matching rows in index order, at most 500, scored by
// `efterhand_rank` with the same column weights; the best LIMIT of them; and FTS5's snippet()
// of each of those. No HTTP, no JSON, no joins, no filters: the least any search built on this
// index and this SQLite can spend on one query.
//
//     cc -O2 search_floor.c ../../Sources/CSearchRank/rank.c -I../../Sources/CSearchRank/include -lsqlite3 -lpthread
//     ./search_floor INDEX.sqlite PATTERNS THREADS SECONDS [LIMIT]
//
// Prints one line: queries, queries/s, p50, p90 and p99 of one query (ms), queries with hits.
#include <CSearchRank.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RANKING_LIMIT 500
#define MAX_SAMPLES 4000000

static const char *index_path;
static char **patterns;
static int pattern_count;
static int limit = 20;
static double seconds;
static double *samples;
static long sample_count;
static long with_hits;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct { sqlite3_int64 id; double score; } Ranked;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int by_score(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

static int by_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : (x > y);
}

static void check(int code, sqlite3 *db, const char *what) {
    if (code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE) return;
    fprintf(stderr, "search_floor: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

/// One query: ranked rows, the best `limit`, a snippet of each. Returns the number of hits.
static int ask(sqlite3 *db, sqlite3_stmt *ranked, sqlite3_stmt *snippet, const char *pattern, Ranked *rows) {
    int n = 0, code;
    sqlite3_bind_text(ranked, 1, pattern, -1, SQLITE_STATIC);
    while ((code = sqlite3_step(ranked)) == SQLITE_ROW && n < RANKING_LIMIT) {
        rows[n].id = sqlite3_column_int64(ranked, 0);
        rows[n].score = sqlite3_column_double(ranked, 1);
        n++;
    }
    check(code, db, "ranked query");
    sqlite3_reset(ranked);
    qsort(rows, n, sizeof(Ranked), by_score);
    int hits = n < limit ? n : limit;
    size_t bytes = 0;
    for (int i = 0; i < hits; i++) {
        sqlite3_bind_text(snippet, 1, pattern, -1, SQLITE_STATIC);
        sqlite3_bind_int64(snippet, 2, rows[i].id);
        if ((code = sqlite3_step(snippet)) == SQLITE_ROW) bytes += (size_t)sqlite3_column_bytes(snippet, 0);
        check(code, db, "snippet query");
        sqlite3_reset(snippet);
    }
    (void)bytes;
    return hits;
}

static void *worker(void *argument) {
    unsigned int seed = (unsigned int)(long)argument * 7919u + 17u;
    sqlite3 *db;
    if (sqlite3_open_v2(index_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fprintf(stderr, "search_floor: cannot open %s\n", index_path);
        exit(1);
    }
    check(efterhand_register_rank(db), db, "efterhand_rank");
    sqlite3_stmt *ranked, *snippet;
    check(sqlite3_prepare_v2(db,
        "SELECT rowid, efterhand_rank(search, 0, 0, 0, 0, 10.0, 5.0, 3.0, 6.0, 5.0, 8.0, 1.0, 0) FROM search "
        "WHERE search MATCH ?1 ORDER BY rowid LIMIT 500", -1, &ranked, NULL), db, "prepare ranked");
    check(sqlite3_prepare_v2(db,
        "SELECT snippet(search, -1, '<mark>', '</mark>', '…', 24) FROM search WHERE search MATCH ?1 AND rowid = ?2",
        -1, &snippet, NULL), db, "prepare snippet");
    Ranked *rows = malloc(sizeof(Ranked) * RANKING_LIMIT);
    double *mine = malloc(sizeof(double) * MAX_SAMPLES);
    long count = 0, found = 0;
    double end = now() + seconds;
    while (count < MAX_SAMPLES) {
        double started = now();
        if (started >= end) break;
        found += ask(db, ranked, snippet, patterns[rand_r(&seed) % pattern_count], rows) > 0;
        mine[count++] = now() - started;
    }
    pthread_mutex_lock(&lock);
    for (long i = 0; i < count && sample_count < MAX_SAMPLES; i++) samples[sample_count++] = mine[i];
    with_hits += found;
    pthread_mutex_unlock(&lock);
    sqlite3_finalize(ranked);
    sqlite3_finalize(snippet);
    sqlite3_close(db);
    free(rows);
    free(mine);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: search_floor INDEX.sqlite PATTERNS THREADS SECONDS [LIMIT]\n");
        return 2;
    }
    index_path = argv[1];
    int threads = atoi(argv[3]);
    seconds = atof(argv[4]);
    if (argc > 5) limit = atoi(argv[5]);
    if (threads < 1 || threads > 64 || seconds <= 0 || limit < 1 || limit > RANKING_LIMIT) {
        fprintf(stderr, "search_floor: THREADS 1-64, SECONDS > 0, LIMIT 1-500\n");
        return 2;
    }
    FILE *file = fopen(argv[2], "r");
    if (!file) { perror(argv[2]); return 1; }
    patterns = malloc(sizeof(char *) * 100000);
    char line[8192];
    while (pattern_count < 100000 && fgets(line, sizeof line, file)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0]) patterns[pattern_count++] = strdup(line);
    }
    fclose(file);
    if (pattern_count == 0) { fprintf(stderr, "search_floor: no patterns in %s\n", argv[2]); return 1; }
    samples = malloc(sizeof(double) * MAX_SAMPLES);
    pthread_t ids[64];
    double started = now();
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, (void *)(long)i);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    double elapsed = now() - started;
    qsort(samples, sample_count, sizeof(double), by_double);
    double p50 = sample_count ? samples[sample_count / 2] : 0, p90 = sample_count ? samples[(long)(sample_count * 0.90)] : 0;
    double p99 = sample_count ? samples[(long)(sample_count * 0.99)] : 0;
    printf("queries %ld rate %.1f p50_ms %.3f p90_ms %.3f p99_ms %.3f with_hits %ld\n", sample_count, sample_count / elapsed,
           p50 * 1000, p90 * 1000, p99 * 1000, with_hits);
    return 0;
}
