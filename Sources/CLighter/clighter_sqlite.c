// SQLite's configuration entry point is variadic, which Swift cannot call: one fixed-argument wrapper.
#include <sqlite3.h>
#include "clighter.h"

int lighter_sqlite_keep_wal_on_close(void *db) {
    // Closing the last connection would checkpoint, fsync the WAL and the database, and delete the
    // WAL (the next writer then recreates it: a header fsync and a directory fsync). Every CLI run
    // is such a "last connection"; leave the WAL to SQLite's automatic checkpoints instead.
    return sqlite3_db_config((sqlite3 *)db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
