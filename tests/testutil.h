// testutil.h: what every CMocka test includes first.
#ifndef OSARCH_TESTUTIL_H
#define OSARCH_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#endif
