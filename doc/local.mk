# SPDX-License-Identifier: BSD-3-Clause
# Man pages, generated from scdoc sources (doc/*.scd), and their check.
# Included from the top-level Makefile.am: paths are relative to the top.
#
# The generated pages are distributed, so a tarball builds and installs
# without scdoc; building from git needs it (configure's SCDOC, else the
# first scdoc on PATH).

doc_man_pages = doc/pam_crauth.8 doc/crauth.conf.5 doc/crauth.1 doc/crauth-helper.8 \
	doc/crauth-broker.8
dist_man_MANS = $(doc_man_pages)
MAINTAINERCLEANFILES = $(doc_man_pages)

EXTRA_DIST += doc/pam_crauth.8.scd doc/crauth.conf.5.scd doc/crauth.1.scd \
	doc/crauth-helper.8.scd doc/crauth-broker.8.scd doc/check-manpages.sh doc/design.md doc/protocol.md

# $@ is doc/NAME.SECTION; its source is $(srcdir)/doc/NAME.SECTION.scd.
# A page is written to a temporary file first, so a failed run never
# leaves a half page that looks up to date.
doc_scdoc = \
	scdoc_cmd='$(SCDOC)'; \
	if test -z "$$scdoc_cmd"; then scdoc_cmd=`command -v scdoc || true`; fi; \
	if test -z "$$scdoc_cmd"; then \
	  echo "$@: scdoc is needed to build the man pages from $(srcdir)/$@.scd:" >&2; \
	  echo "    apt-get install scdoc    (then run configure again)" >&2; \
	  exit 1; \
	fi; \
	$(MKDIR_P) doc && \
	"$$scdoc_cmd" < '$(srcdir)/$@.scd' > '$@-t' && mv -f '$@-t' '$@'

doc/pam_crauth.8: $(srcdir)/doc/pam_crauth.8.scd
	$(AM_V_GEN)$(doc_scdoc)
doc/crauth.conf.5: $(srcdir)/doc/crauth.conf.5.scd
	$(AM_V_GEN)$(doc_scdoc)
doc/crauth.1: $(srcdir)/doc/crauth.1.scd
	$(AM_V_GEN)$(doc_scdoc)
doc/crauth-helper.8: $(srcdir)/doc/crauth-helper.8.scd
	$(AM_V_GEN)$(doc_scdoc)
doc/crauth-broker.8: $(srcdir)/doc/crauth-broker.8.scd
	$(AM_V_GEN)$(doc_scdoc)

# What doc/check-manpages.sh compares the pages with, printed by the code:
# config keys and defaults (lib/core/conf.c), reasons and PAM codes
# (lib/common/reason.c).
check_PROGRAMS += doc/list-facts
doc_list_facts_SOURCES = doc/list-facts.c
doc_list_facts_LDADD = libcrauth_core.la
