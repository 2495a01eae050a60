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

/// Turns off SQLite's memory statistics for the whole process (`SQLITE_CONFIG_MEMSTATUS`, a C
/// variadic call Swift cannot make): with them on, every allocation SQLite makes takes one
/// process-wide mutex, which searches on several threads queue for. Works only before SQLite
/// is first used in the process; returns SQLITE_OK, or SQLITE_MISUSE when it is too late.
int efterhand_sqlite_memstatus_off(void);

#endif
