/*
 * schema.h - the database schema and its migrations.
 */
#ifndef SV_SCHEMA_H
#define SV_SCHEMA_H

#include "storage/db.h"
#include "base/common.h"

/* Create the current schema in a new, empty database. */
int sv_schema_create(sv_db *db);
/* Bring an existing database to the current schema (each step one
 * transaction); refuses a database newer than this program. */
int sv_schema_migrate(sv_db *db);

#define SV_SCHEMA_VERSION 14

#endif
