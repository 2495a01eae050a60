// Debian's libsqlite3-dev: the search fuzz target runs its patterns against an in-memory FTS5 table.
#include <sqlite3.h>
