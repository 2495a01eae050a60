#ifndef EFTERHAND_CSEARCHRANK_H
#define EFTERHAND_CSEARCHRANK_H

#include <sqlite3.h>

/// Registers the FTS5 ranking function `efterhand_rank` on one connection.
///
/// `efterhand_rank(table, w_0, ..., w_{nCol-1})` is FTS5's BM25 (k1 = 1.2, b = 0.75, column
/// weights summed into each phrase's frequency, lower is better) with every phrase's inverse
/// document frequency at 1. FTS5's own `bm25()` counts every row that holds each phrase before
/// it can score one row: for a word said in every talk, a scan of the whole index per query.
/// Every row a query matches holds every phrase, so IDF would only weigh phrases against each
/// other; without it a query costs what its scored rows cost.
///
/// Returns SQLITE_OK, or an SQLite error code when the connection has no FTS5.
int efterhand_register_rank(sqlite3 *db);

#endif
