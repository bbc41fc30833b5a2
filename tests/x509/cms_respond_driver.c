/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cms_respond_driver.c - `crauth cms-respond` as a program of its own, for
 * tests/x509/test_cms_respond.py while tools/crauth.c does not dispatch the
 * verb yet: argv[0] stands for the verb, as it does in crauth.
 */
#include "tools/verbs.h"

int
main(int argc, char **argv)
{
    return cmd_cms_respond(argc, argv);
}
