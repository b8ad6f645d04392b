/*
 * text.h - rules for names and references (text.c).
 */
#ifndef SV_BASE_TEXT_H
#define SV_BASE_TEXT_H

#include "base/common.h"



/* Names: principals [a-z0-9._@-]{1,64}; case refs [A-Za-z0-9-]{1,32}. */
bool sv_name_valid(const char *s);

bool sv_ref_valid(const char *s);

#endif
