#include "CSearchRank.h"

#include <string.h>

typedef struct {
    double averageLength;  /* tokens per row, all columns */
    int phraseCount;
    double *frequency;     /* per phrase, weighted by column, for the current row */
} RankData;

static void efterhand_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context,
                           int argumentCount, sqlite3_value **arguments) {
    const double k1 = 1.2, b = 0.75;
    int rc = SQLITE_OK;
    RankData *data = (RankData *)api->xGetAuxdata(fts, 0);
    if (data == NULL) {
        sqlite3_int64 rows = 0, tokens = 0;
        int phraseCount = api->xPhraseCount(fts);
        rc = api->xRowCount(fts, &rows);
        if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
        if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
        data = (RankData *)sqlite3_malloc64(sizeof(RankData) + sizeof(double) * (sqlite3_uint64)(phraseCount > 0 ? phraseCount : 1));
        if (data == NULL) { sqlite3_result_error_nomem(context); return; }
        data->averageLength = rows > 0 && tokens > 0 ? (double)tokens / (double)rows : 1.0;
        data->phraseCount = phraseCount;
        data->frequency = (double *)&data[1];
        rc = api->xSetAuxdata(fts, data, sqlite3_free); /* frees data itself on failure */
        if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
    }
    memset(data->frequency, 0, sizeof(double) * (size_t)data->phraseCount);
    int instances = 0;
    rc = api->xInstCount(fts, &instances);
    for (int i = 0; rc == SQLITE_OK && i < instances; i++) {
        int phrase = 0, column = 0, offset = 0;
        rc = api->xInst(fts, i, &phrase, &column, &offset);
        if (rc == SQLITE_OK && phrase >= 0 && phrase < data->phraseCount) {
            data->frequency[phrase] += column < argumentCount ? sqlite3_value_double(arguments[column]) : 1.0;
        }
    }
    int length = 0;
    if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
    if (rc != SQLITE_OK) { sqlite3_result_error_code(context, rc); return; }
    double score = 0;
    for (int phrase = 0; phrase < data->phraseCount; phrase++) {
        double f = data->frequency[phrase];
        score += (f * (k1 + 1.0)) / (f + k1 * (1.0 - b + b * (double)length / data->averageLength));
    }
    sqlite3_result_double(context, -score);
}

int efterhand_register_rank(sqlite3 *db) {
    fts5_api *api = NULL;
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(statement);
    rc = sqlite3_finalize(statement);
    if (rc != SQLITE_OK) return rc;
    if (api == NULL || api->iVersion < 2) return SQLITE_ERROR;
    return api->xCreateFunction(api, "efterhand_rank", NULL, efterhand_rank, NULL);
}

int efterhand_sqlite_memstatus_off(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
